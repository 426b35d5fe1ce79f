#include "plugin/bundle_source.h"

#include <fmt/format.h>

#include <system_error>

#include "base/errors.h"
#include "base/files.h"
#include "plugin/command.h"
#include "trust/formats/metadata.h"
#include "trust/tuf/cache.h"

namespace dct::plugin {

std::shared_ptr<const trust::Bundle> read_bundle(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot read bundle {}: no such file", file.string()),
                "give the file `docker dct bundle save -o FILE` wrote");
  auto bytes = read_file_capped(file, trust::kMaxBundleSize);
  if (!bytes)
    throw Error(ErrorCode::oversized, fmt::format("bundle {} is unreadable or larger than {} MiB",
                                                  file.string(), trust::kMaxBundleSize >> 20));
  return std::make_shared<const trust::Bundle>(trust::Bundle::parse(*bytes, file.string()));
}

const trust::BundleRepository& bundle_repository(const trust::Bundle& bundle,
                                                 const std::string& gun) {
  if (const auto* repo = bundle.find(gun)) return *repo;
  std::string held;
  for (const auto& [name, repo] : bundle.repositories()) held += (held.empty() ? "" : ", ") + name;
  throw Error(
      ErrorCode::repository_not_found,
      fmt::format("bundle {} holds no trust data for {} (it holds {})", bundle.source(), gun, held),
      fmt::format("save one with `docker dct bundle save {} -o FILE`", gun));
}

const trust::BundleRepository& verified_bundle_repository(registry::Session& session,
                                                          const trust::Bundle& bundle,
                                                          const std::string& gun) {
  const trust::BundleRepository& repo = bundle_repository(bundle, gun);
  trust::FileMetadataCache cache(session.trust_dir(), gun);
  trust::SystemClock clock;
  try {
    trust::verify_bundle_repository(repo, cache.load("root", trust::kMaxRootSize), clock,
                                    session.trust_pinning());
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::security) throw;
    throw Error(e.code(), fmt::format("{} (trust data from bundle {})", e.what(), bundle.source()),
                e.hint());
  }
  return repo;
}

const trust::Bundle* Context::bundle() const {
  if (!trust.bundle) return nullptr;
  if (!bundle_) bundle_ = read_bundle(*trust.bundle);
  return bundle_.get();
}

void add_bundle_flag(CLI::App& app, TrustOptions& options) {
  app.add_option_function<std::string>(
         "--bundle", [&options](const std::string& v) { options.bundle = v; },
         "Verify from an offline bundle (docker dct bundle save) instead of the notary server")
      ->type_name("string");
}

}  // namespace dct::plugin
