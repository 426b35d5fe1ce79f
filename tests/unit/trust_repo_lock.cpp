// The repository lock: exclusive between processes (a forked child holds it), waited for with
// one notice, given up on with repository_busy, freed when its holder dies, re-entrant inside
// one process, and a clear io_failure where it cannot be made.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "base/errors.h"
#include "error_code_of.h"
#include "trust/publish/repo_lock.h"

using namespace dct::trust;
using dct::ErrorCode;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string kLockGun = "registry.example.com/team/app";

struct Dir {
  fs::path path;
  Dir() {
    std::string t = (fs::temp_directory_path() / "dct-lock-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Whether another open file description could lock the file now (the kernel's view).
bool free_for_others(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const bool got = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);
  return got;
}

std::string contents(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A child process that takes the lock, reports it through a pipe, then holds it for
// `hold` (or until killed).
struct Holder {
  pid_t pid = -1;
  Holder(const fs::path& trust_dir, std::chrono::milliseconds hold) {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(p[0]);
      char ok = '0';
      try {
        auto lock = RepoLock::try_acquire(trust_dir, kLockGun);
        if (lock) ok = '1';
        [[maybe_unused]] auto n = ::write(p[1], &ok, 1);
        ::usleep(static_cast<useconds_t>(hold.count() * 1000));
      } catch (...) {
        [[maybe_unused]] auto n = ::write(p[1], &ok, 1);
      }
      ::_exit(0);
    }
    ::close(p[1]);
    char got = 0;
    REQUIRE(::read(p[0], &got, 1) == 1);
    ::close(p[0]);
    REQUIRE(got == '1');
  }
  void kill_now() {
    if (pid > 0) ::kill(pid, SIGKILL);
    reap();
  }
  void reap() {
    if (pid > 0) ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
  ~Holder() { kill_now(); }
};

}  // namespace

TEST_CASE("the lock file lives in the repository's directory and names its holder") {
  Dir dir;
  const fs::path path = RepoLock::lock_path(dir.path, kLockGun);
  CHECK(path == dir.path / "tuf" / "registry.example.com" / "team" / "app" / "dct.lock");
  {
    auto lock = RepoLock::try_acquire(dir.path, kLockGun);
    REQUIRE(lock);
    CHECK(lock->path() == path);
    CHECK(contents(path) == std::to_string(::getpid()) + "\n");
    CHECK_FALSE(free_for_others(path));
    CHECK((fs::status(path).permissions() & fs::perms::others_all) == fs::perms::none);
  }
  CHECK(free_for_others(path));
  CHECK(contents(path).empty());
}

TEST_CASE("another process's lock: not taken, waited for with one notice, then repository_busy") {
  Dir dir;
  Holder holder(dir.path, 30s);
  long seen = -1;
  CHECK_FALSE(RepoLock::try_acquire(dir.path, kLockGun, &seen));
  CHECK(seen == holder.pid);

  int notices = 0;
  long notice_pid = 0;
  RepoLock::Options options;
  options.timeout = 300ms;
  options.poll = 20ms;
  options.on_wait = [&](long pid) {
    ++notices;
    notice_pid = pid;
  };
  const auto start = std::chrono::steady_clock::now();
  std::string message;
  try {
    RepoLock::acquire(dir.path, kLockGun, options);
    FAIL("the lock was taken while another process held it");
  } catch (const dct::Error& e) {
    CHECK(e.code() == ErrorCode::repository_busy);
    message = e.what();
  }
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  CHECK(notices == 1);
  CHECK(notice_pid == holder.pid);
  CHECK(message.find(kLockGun) != std::string::npos);
  CHECK(message.find("pid " + std::to_string(holder.pid)) != std::string::npos);
  CHECK(dct::id_of(ErrorCode::repository_busy) == "dct.io.703");
}

TEST_CASE("a waiter gets the lock as soon as the holder finishes") {
  Dir dir;
  Holder holder(dir.path, 400ms);
  int notices = 0;
  RepoLock::Options options;
  options.timeout = 10s;
  options.poll = 20ms;
  options.on_wait = [&](long) { ++notices; };
  const auto start = std::chrono::steady_clock::now();
  auto lock = RepoLock::acquire(dir.path, kLockGun, options);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(notices == 1);
  CHECK_FALSE(free_for_others(lock.path()));
  holder.reap();
}

TEST_CASE("a holder killed with SIGKILL leaves no stale lock") {
  Dir dir;
  Holder holder(dir.path, 30s);
  CHECK_FALSE(RepoLock::try_acquire(dir.path, kLockGun));
  holder.kill_now();
  RepoLock::Options options;
  options.timeout = 0ms;
  int notices = 0;
  options.on_wait = [&](long) { ++notices; };
  auto lock = RepoLock::acquire(dir.path, kLockGun, options);
  CHECK(notices == 0);
  CHECK(contents(lock.path()) == std::to_string(::getpid()) + "\n");
}

TEST_CASE("one process can take its own lock again; the outermost release frees it") {
  Dir dir;
  const fs::path path = RepoLock::lock_path(dir.path, kLockGun);
  std::optional<RepoLock> outer = RepoLock::try_acquire(dir.path, kLockGun);
  REQUIRE(outer);
  {
    RepoLock::Options options;
    options.timeout = 0ms;
    auto inner = RepoLock::acquire(dir.path, kLockGun, options);
    CHECK_FALSE(free_for_others(path));
  }
  CHECK_FALSE(free_for_others(path));
  std::optional<RepoLock> moved(std::move(*outer));
  outer.reset();
  CHECK_FALSE(free_for_others(path));
  moved.reset();
  CHECK(free_for_others(path));
}

TEST_CASE("locks of different repositories are independent") {
  Dir dir;
  Holder holder(dir.path, 30s);
  CHECK(RepoLock::try_acquire(dir.path, "registry.example.com/team/other"));
}

TEST_CASE("a trust dir where the lock cannot be made is an io_failure naming the place") {
  Dir dir;
  const fs::path not_a_dir = dir.path / "file";
  std::ofstream(not_a_dir) << "x";
  std::string message;
  try {
    RepoLock::try_acquire(not_a_dir, kLockGun);
  } catch (const dct::Error& e) {
    CHECK(e.code() == ErrorCode::io_failure);
    message = e.what();
  }
  CHECK(message.find(not_a_dir.string()) != std::string::npos);
}
