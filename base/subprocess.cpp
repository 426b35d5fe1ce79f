#include "base/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "base/posix_handles.h"

extern char** environ;

namespace dct::registry {

namespace {

// Writes `data` to a pipe without being killed by SIGPIPE when the reader is gone.
void write_input(int fd, std::string_view data) {
  sigset_t pipe_set;
  sigset_t old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending;
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  bool broke = false;
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      broke = errno == EPIPE;
      break;  // EAGAIN (input larger than the pipe buffer) or EPIPE: the child won't read more
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (broke && !was_pending) {
    const timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);  // consume the SIGPIPE we caused
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
}

}  // namespace

Process::~Process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

Process::Process(Process&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }

Process& Process::operator=(Process&& o) noexcept {
  if (this != &o) {
    Process old(std::move(*this));
    pid_ = o.pid_;
    o.pid_ = -1;
  }
  return *this;
}

int Process::start(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd) {
  if (argv.empty() || pid_ > 0) return EINVAL;
  SpawnActions actions;
  if ((stdin_fd >= 0 && !actions.dup2(stdin_fd, STDIN_FILENO)) ||
      (stdout_fd >= 0 && !actions.dup2(stdout_fd, STDOUT_FILENO))) {
    return ENOMEM;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0].c_str(), actions.get(), nullptr, args.data(), environ);
  if (rc == 0) pid_ = pid;
  return rc;
}

std::optional<int> Process::poll() {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return status;
  }
  if (r < 0 && errno != EINTR) {
    pid_ = -1;  // not ours to wait for any more
    return status;
  }
  return std::nullopt;
}

void Process::signal(int sig) const {
  if (pid_ > 0) ::kill(pid_, sig);
}

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

ProcessResult run_process(const std::vector<std::string>& argv, std::string_view input,
                          std::chrono::milliseconds timeout, std::size_t max_output) {
  ProcessResult result;
  if (argv.empty()) {
    result.error = "no program given";
    return result;
  }
  Pipe in;
  Pipe out;
  if (!in.open() || !out.open()) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  Process child;
  if (const int rc = child.start(argv, in.read.get(), out.write.get()); rc != 0) {
    result.outcome =
        rc == ENOENT ? ProcessResult::Outcome::not_found : ProcessResult::Outcome::spawn_failed;
    result.error = std::strerror(rc);
    return result;
  }
  in.read.reset();
  out.write.reset();

  ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
  write_input(in.write.get(), input);
  in.write.reset();

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto remaining_ms = [&] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long>(0, left.count()));
  };

  bool eof = false;
  while (!eof) {
    const int wait = remaining_ms();
    if (wait == 0) {
      result.outcome = ProcessResult::Outcome::timed_out;
      return result;  // ~Process kills and reaps
    }
    pollfd p{out.read.get(), POLLIN, 0};
    const int n = ::poll(&p, 1, wait);
    if (n < 0) {
      if (errno == EINTR) continue;
      result.error = std::string("poll: ") + std::strerror(errno);
      return result;
    }
    if (n == 0) continue;
    char buf[4096];
    const ssize_t got = ::read(out.read.get(), buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      eof = true;
    } else if (got == 0) {
      eof = true;
    } else if (result.out.size() < max_output) {
      result.out.append(buf,
                        std::min(static_cast<std::size_t>(got), max_output - result.out.size()));
    }
  }
  std::optional<int> ended;
  while (!(ended = child.poll())) {
    if (remaining_ms() == 0) {
      result.outcome = ProcessResult::Outcome::timed_out;
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const int status = *ended;
  if (WIFEXITED(status)) {
    result.outcome = ProcessResult::Outcome::exited;
    result.exit_code = WEXITSTATUS(status);
  } else {
    result.outcome = ProcessResult::Outcome::signaled;
  }
  return result;
}

}  // namespace dct::registry
