#include "plugin/cancel.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <thread>

#include "base/errors.h"

namespace dct::plugin {
namespace {

std::atomic<bool> g_cancelled{false};
std::atomic<int> g_signals{0};

[[noreturn]] void exit_cancelled() {
  static constexpr char kMsg[] = "cancelled\n";
  (void)!::write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
  ::_exit(130);
}

std::atomic<bool> g_exit_scheduled{false};

void request_cancel() {
  g_cancelled.store(true);
  if (g_exit_scheduled.exchange(true)) return;
  // Give in-flight work a moment to stop cleanly (atomic writes finish, temp files go away).
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    exit_cancelled();
  }).detach();
}

void on_signal(int) {
  if (g_signals.fetch_add(1) + 1 >= 3) exit_cancelled();
  g_cancelled.store(true);
}

}  // namespace

int connect_plugin_socket(const std::string& name) {
  if (name.empty()) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  socklen_t len;
  if (name[0] == '@') {
    if (name.size() > sizeof(addr.sun_path)) return -1;
    addr.sun_path[0] = '\0';
    std::memcpy(addr.sun_path + 1, name.data() + 1, name.size() - 1);
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  } else {
    if (name.size() >= sizeof(addr.sun_path)) return -1;
    std::memcpy(addr.sun_path, name.data(), name.size());
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void start_cancellation(const std::optional<std::string>& socket_name, bool debug) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A watcher turns a signal into the grace-period exit outside the handler.
  std::thread([] {
    while (!g_cancelled.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    request_cancel();
  }).detach();
  if (!socket_name || socket_name->empty()) return;
  int fd = connect_plugin_socket(*socket_name);
  if (fd < 0) {
    if (debug)
      fmt::print(stderr, "DEBUG: could not connect to the plugin socket {}\n", *socket_name);
    return;
  }
  std::thread([fd] {
    char buf[64];
    // docker never writes; EOF (or an error) means it wants us to stop.
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    g_cancelled.store(true);
  }).detach();
}

bool cancelled() noexcept { return g_cancelled.load(); }

void throw_if_cancelled() {
  if (cancelled()) throw Error(ErrorCode::cancelled, "cancelled");
}

}  // namespace dct::plugin
