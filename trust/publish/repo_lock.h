#pragma once
// An exclusive lock on one repository's trust data (<trust_dir>/tuf/<gun>/dct.lock, a file
// notary never looks at), held by every command that stages or publishes changes, so that two
// processes never interleave their edits of one changelist and metadata cache. flock(2): the
// kernel drops it when the holder exits, however it ends, so a killed process leaves no stale
// lock. The holder's pid is written into the file for the message of whoever waits.
// A process that already holds the lock can take it again (nested commands); it is released
// when the outermost holder goes.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace dct::trust {

class RepoLock {
 public:
  struct Options {
    std::chrono::milliseconds timeout{60000};  // how long to wait for another holder
    std::chrono::milliseconds poll{100};
    // Called once, when the lock is held elsewhere, with the holder's pid (0 when unknown).
    std::function<void(long pid)> on_wait;
  };

  // Waits up to options.timeout. Throws dct::Error(repository_busy) when the lock stays held,
  // dct::Error(io_failure) when the lock file cannot be made (read-only trust dir...).
  static RepoLock acquire(const std::filesystem::path& trust_dir, const std::string& gun,
                          const Options& options);
  // Never waits: nullopt when another process holds the lock; `holder` gets its pid.
  static std::optional<RepoLock> try_acquire(const std::filesystem::path& trust_dir,
                                             const std::string& gun, long* holder = nullptr);
  static std::filesystem::path lock_path(const std::filesystem::path& trust_dir,
                                         const std::string& gun);

  RepoLock(RepoLock&& other) noexcept;
  RepoLock& operator=(RepoLock&&) = delete;
  RepoLock(const RepoLock&) = delete;
  RepoLock& operator=(const RepoLock&) = delete;
  ~RepoLock();

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  explicit RepoLock(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
  bool owner_ = false;
};

}  // namespace dct::trust
