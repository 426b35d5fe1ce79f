#include "plugin/docker_exec.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/errors.h"
#include "base/posix_handles.h"
#include "base/subprocess.h"
#include "plugin/cancel.h"

namespace dct::plugin {

namespace {

using registry::Fd;

registry::Process spawn_docker(const Invocation& inv, const std::vector<std::string>& args,
                               int stdout_fd = -1) {
  const auto argv = docker_argv(inv, args);
  registry::Process docker;
  if (const int rc = docker.start(argv, -1, stdout_fd); rc != 0)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot run the Docker CLI ({}): {}", argv[0], std::strerror(rc)),
                "install the docker CLI, or run this through it as 'docker dct ...'");
  return docker;
}

// Docker is told to stop (SIGINT, as a terminal would) once when this command is cancelled.
class CancelForwarder {
 public:
  explicit CancelForwarder(const registry::Process& docker) : docker_(docker) {}
  void check() {
    if (cancelled() && !forwarded_) {
      docker_.signal(SIGINT);
      forwarded_ = true;
    }
  }

 private:
  const registry::Process& docker_;
  bool forwarded_ = false;
};

int wait_for(registry::Process& docker, CancelForwarder& cancel) {
  while (true) {
    if (const auto status = docker.poll()) return registry::exit_code_of(*status);
    cancel.check();
    ::usleep(20000);
  }
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
  registry::Process docker = spawn_docker(inv, args);
  CancelForwarder cancel(docker);
  return wait_for(docker, cancel);
}

int run_docker_reading_output(const Invocation& inv, const std::vector<std::string>& args,
                              bool terminal, const OutputSink& output) {
  OutputChannel ch = open_output_channel(terminal);
  registry::Process docker = spawn_docker(inv, args, ch.writer.get());
  ch.writer.reset();
  CancelForwarder cancel(docker);
  // Read until docker's output ends; once docker has exited, only what is already there (a
  // process it started may hold the other end open).
  std::optional<int> status;
  char buf[8192];
  while (true) {
    cancel.check();
    if (!status) status = docker.poll();
    pollfd p{ch.reader.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, status ? 0 : 50);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      if (status || ready < 0) break;
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
  return status ? registry::exit_code_of(*status) : wait_for(docker, cancel);
}

}  // namespace dct::plugin
