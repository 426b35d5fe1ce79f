#include "plugin/repository_lock.h"

#include <fmt/format.h>

#include <cstdlib>
#include <ostream>

#include "base/errors.h"

namespace dct::plugin {
namespace {

std::chrono::milliseconds lock_timeout() {
  if (const char* env = std::getenv("DCT_LOCK_TIMEOUT"); env && *env) {
    char* end = nullptr;
    const double seconds = std::strtod(env, &end);
    if (end != env && *end == '\0' && seconds >= 0 && seconds < 86400)
      return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
  }
  return std::chrono::seconds(60);
}

}  // namespace

trust::RepoLock lock_repository(const Context& ctx, const std::filesystem::path& trust_dir,
                                const std::string& gun) {
  trust::RepoLock::Options options;
  options.timeout = lock_timeout();
  options.on_wait = [&](long pid) {
    if (!ctx.err) return;
    *ctx.err << fmt::format("waiting for another docker dct process{} to finish with {}...\n",
                            pid ? fmt::format(" (pid {})", pid) : std::string(), gun)
             << std::flush;
  };
  try {
    return trust::RepoLock::acquire(trust_dir, gun, options);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::repository_busy) throw;
    throw Error(e.code(), e.what(),
                fmt::format("{}; DCT_LOCK_TIMEOUT sets how many seconds to wait", e.hint()));
  }
}

}  // namespace dct::plugin
