#include "trust/publish/repo_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "base/errors.h"
#include "trust/tuf/cache.h"

namespace dct::trust {
namespace fs = std::filesystem;
namespace {

struct Held {
  int fd = -1;
  int count = 0;
};

// Locks this process holds, by lock file path: flock(2) would make a second open of the same
// file in this process wait for the first.
std::mutex held_mutex;
std::map<std::string, Held>& held() {
  static std::map<std::string, Held> locks;
  return locks;
}

void make_dirs(const fs::path& dir) {
  if (dir.empty() || fs::exists(dir)) return;
  make_dirs(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot create directory {}: {}", dir.string(), std::strerror(errno)),
                "the trust dir must be writable to stage or publish changes");
}

long read_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  char* end = nullptr;
  const long pid = std::strtol(buf, &end, 10);
  return pid > 0 ? pid : 0;
}

void write_pid(int fd) {
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    // Only informative: a waiter without it says "another process" without a pid.
    [[maybe_unused]] const ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
}

}  // namespace

fs::path RepoLock::lock_path(const fs::path& trust_dir, const std::string& gun) {
  return repository_dir(trust_dir, gun) / "dct.lock";
}

std::optional<RepoLock> RepoLock::try_acquire(const fs::path& trust_dir, const std::string& gun,
                                              long* holder) {
  fs::path path = lock_path(trust_dir, gun);
  std::lock_guard guard(held_mutex);
  if (auto it = held().find(path.string()); it != held().end()) {
    ++it->second.count;
    RepoLock lock(std::move(path));
    lock.owner_ = true;
    return lock;
  }
  make_dirs(path.parent_path());
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot lock the trust data of {}: {}: {}", gun, path.string(),
                            std::strerror(errno)),
                "the trust dir must be writable to stage or publish changes");
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const int err = errno;
    if (err == EWOULDBLOCK) {
      if (holder) *holder = read_pid(fd);
      ::close(fd);
      return std::nullopt;
    }
    ::close(fd);
    throw Error(ErrorCode::io_failure, fmt::format("cannot lock the trust data of {}: {}: {}", gun,
                                                   path.string(), std::strerror(err)));
  }
  write_pid(fd);
  held()[path.string()] = Held{fd, 1};
  RepoLock lock(std::move(path));
  lock.owner_ = true;
  return lock;
}

RepoLock RepoLock::acquire(const fs::path& trust_dir, const std::string& gun,
                           const Options& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool told = false;
  long holder = 0;
  for (;;) {
    if (auto lock = try_acquire(trust_dir, gun, &holder)) return std::move(*lock);
    if (!told && options.on_wait) options.on_wait(holder);
    told = true;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(options.poll);
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count();
  throw Error(ErrorCode::repository_busy,
              fmt::format("another docker dct process{} is still working on the trust data of {} "
                          "(waited {} s); nothing was changed by this command",
                          holder ? fmt::format(" (pid {})", holder) : std::string(), gun, seconds),
              "let it finish, then run this command again");
}

RepoLock::RepoLock(RepoLock&& other) noexcept
    : path_(std::move(other.path_)), owner_(other.owner_) {
  other.owner_ = false;
}

RepoLock::~RepoLock() {
  if (!owner_) return;
  std::lock_guard guard(held_mutex);
  auto it = held().find(path_.string());
  if (it == held().end() || --it->second.count > 0) return;
  // Emptied first so that a waiter never names a process that has finished.
  [[maybe_unused]] const int rc = ::ftruncate(it->second.fd, 0);
  ::close(it->second.fd);
  held().erase(it);
}

}  // namespace dct::trust
