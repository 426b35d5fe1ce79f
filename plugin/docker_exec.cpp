#include "plugin/docker_exec.h"

#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "base/errors.h"
#include "base/posix_handles.h"
#include "plugin/cancel.h"

extern char** environ;

namespace dct::plugin {

namespace {

using registry::Fd;

pid_t spawn_docker(const Invocation& inv, const std::vector<std::string>& args,
                   const posix_spawn_file_actions_t* actions) {
  auto argv = docker_argv(inv, args);
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, cargv[0], actions, nullptr, cargv.data(), environ);
  if (rc != 0)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot run the Docker CLI ({}): {}", argv[0], std::strerror(rc)),
                "install the docker CLI, or run this through it as 'docker dct ...'");
  return pid;
}

// Docker is told to stop (SIGINT, as a terminal would) once when this command is cancelled.
class CancelForwarder {
 public:
  explicit CancelForwarder(pid_t pid) : pid_(pid) {}
  void check() {
    if (cancelled() && !forwarded_) {
      ::kill(pid_, SIGINT);
      forwarded_ = true;
    }
  }

 private:
  pid_t pid_;
  bool forwarded_ = false;
};

int exit_status_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

int wait_for(pid_t pid, CancelForwarder& cancel) {
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    cancel.check();
    ::usleep(20000);
  }
  return exit_status_of(status);
}

// Where docker's stdout goes: `reader` is ours, `writer` becomes docker's fd 1.
struct OutputChannel {
  Fd reader;
  Fd writer;
};

// A pseudo-terminal the size of our terminal, passing bytes through unchanged (our own
// terminal translates line ends). Nothing when the system has none to give.
bool open_terminal(OutputChannel& ch) {
  Fd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (master.get() < 0 || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0)
    return false;
  char name[PATH_MAX];
  if (::ptsname_r(master.get(), name, sizeof name) != 0) return false;
  Fd slave(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (slave.get() < 0) return false;
  termios mode{};
  if (::tcgetattr(slave.get(), &mode) == 0) {
    mode.c_oflag &= ~static_cast<tcflag_t>(OPOST);
    ::tcsetattr(slave.get(), TCSANOW, &mode);
  }
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) ::ioctl(slave.get(), TIOCSWINSZ, &size);
  ch.reader = std::move(master);
  ch.writer = std::move(slave);
  return true;
}

OutputChannel open_output_channel(bool terminal) {
  OutputChannel ch;
  if (terminal && open_terminal(ch)) return ch;
  registry::Pipe pipe;
  if (!pipe.open())
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot run the Docker CLI: pipe: {}", std::strerror(errno)));
  ch.reader = std::move(pipe.read);
  ch.writer = std::move(pipe.write);
  return ch;
}

}  // namespace

std::vector<std::string> docker_argv(const Invocation& inv, const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  argv.push_back(inv.original_cli.empty() ? "docker" : inv.original_cli);
  argv.insert(argv.end(), inv.global_args.begin(), inv.global_args.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

int run_docker(const Invocation& inv, const std::vector<std::string>& args) {
  const pid_t pid = spawn_docker(inv, args, nullptr);
  CancelForwarder cancel(pid);
  return wait_for(pid, cancel);
}

int run_docker_reading_output(const Invocation& inv, const std::vector<std::string>& args,
                              bool terminal, const OutputSink& output) {
  OutputChannel ch = open_output_channel(terminal);
  registry::SpawnActions actions;
  if (!actions.dup2(ch.writer.get(), STDOUT_FILENO))
    throw Error(ErrorCode::io_failure, "cannot run the Docker CLI: posix_spawn_file_actions");
  const pid_t pid = spawn_docker(inv, args, actions.get());
  ch.writer.reset();
  CancelForwarder cancel(pid);
  // Read until docker's output ends; once docker has exited, only what is already there (a
  // process it started may hold the other end open).
  bool exited = false;
  int status = 0;
  char buf[8192];
  while (true) {
    cancel.check();
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) exited = true;
    pollfd p{ch.reader.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, exited ? 0 : 50);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      if (exited || ready < 0) break;
      continue;
    }
    const ssize_t got = ::read(ch.reader.get(), buf, sizeof buf);
    if (got > 0) {
      output(std::string_view(buf, static_cast<std::size_t>(got)));
    } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
      break;  // end of output; a terminal whose last writer closed reads EIO
    }
  }
  ch.reader.reset();
  return exited ? exit_status_of(status) : wait_for(pid, cancel);
}

}  // namespace dct::plugin
