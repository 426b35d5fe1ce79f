#include "plugin/passphrase_prompt.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/errors.h"
#include "plugin/cancel.h"

namespace dct::plugin {
namespace {

using trust::PassphraseRequest;
using trust::Secret;

constexpr std::size_t kMaxPassphrase = 4096;
constexpr std::size_t kMinNewPassphrase = 8;
constexpr int kMaxTries = 3;

constexpr std::string_view kRootWarning =
    "\nA new root key is about to be created. Its passphrase guards the key that has the final\n"
    "say over this repository's trust data: choose a long, random passphrase (a password\n"
    "manager can make and keep one) and keep both the passphrase and a backup of the key file\n"
    "safe. Neither can be recovered if lost.\n\n";

bool is_base_role(std::string_view role) {
  return role == "root" || role == "targets" || role == "snapshot" || role == "timestamp";
}

std::string key_name(const PassphraseRequest& request) {
  std::string name = request.create_new ? "the new " : "the ";
  name += request.role.empty() ? std::string("key") : request.role + " key";
  name += " " + request.key_id;
  if (!request.gun.empty()) name += " of " + request.gun;
  return name;
}

// Leading and trailing whitespace removed, as notary does with typed passphrases.
Secret trimmed(const Secret& in) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const std::string_view v = in.view();
  const auto first = v.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return Secret();
  const auto last = v.find_last_not_of(kSpace);
  return Secret(std::string(v.substr(first, last - first + 1)));
}

Secret copy(const Secret& s) { return Secret(std::string(s.view())); }

// Echo off while a passphrase is typed; the terminal's settings come back however the read ends.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL);
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() { restore(); }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  void restore() noexcept {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
    active_ = false;
  }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

class TtyTerminal final : public Terminal {
 public:
  explicit TtyTerminal(int fd) : fd_(fd) {}
  ~TtyTerminal() override { ::close(fd_); }
  TtyTerminal(const TtyTerminal&) = delete;
  TtyTerminal& operator=(const TtyTerminal&) = delete;

  void write(std::string_view text) override {
    while (!text.empty()) {
      const ssize_t n = ::write(fd_, text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // a prompt that cannot be shown is no reason to fail
      text.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  std::optional<Secret> read_hidden() override {
    EchoOff echo_off(fd_);
    Secret line(std::string(kMaxPassphrase, '\0'));  // sized once: no unwiped copies
    std::size_t length = 0;
    bool too_long = false;
    bool any = false;
    while (true) {
      if (cancelled()) {  // polled, so that Ctrl-C ends the read with echo restored
        echo_off.restore();
        write("\n");
        throw_if_cancelled();
      }
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, 100);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) fail();
      if (ready == 0) continue;
      char c = 0;
      const ssize_t n = ::read(fd_, &c, 1);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) fail();
      if (n == 0) {
        if (!any) return std::nullopt;
        break;
      }
      any = true;
      if (c == '\n') break;
      if (length < kMaxPassphrase)
        line.mutable_str()[length++] = c;
      else
        too_long = true;
      c = 0;
    }
    echo_off.restore();
    write("\n");
    if (too_long)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("passphrases are limited to {} bytes", kMaxPassphrase));
    if (length > 0 && line.str()[length - 1] == '\r') --length;
    line.mutable_str().resize(length);  // shrinking never reallocates
    return line;
  }

 private:
  [[noreturn]] static void fail() {
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot read from the terminal: {}", std::strerror(errno)));
  }
  int fd_;
};

}  // namespace

std::unique_ptr<Terminal> open_controlling_terminal() {
  const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  if (!::isatty(fd)) {
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<TtyTerminal>(fd);
}

std::vector<std::string> passphrase_variables(std::string_view role) {
  if (role == "root") return {"DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE", "NOTARY_ROOT_PASSPHRASE"};
  std::vector<std::string> vars{"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE"};
  if (role == "targets") vars.emplace_back("NOTARY_TARGETS_PASSPHRASE");
  if (role == "snapshot") vars.emplace_back("NOTARY_SNAPSHOT_PASSPHRASE");
  if (!is_base_role(role)) vars.emplace_back("NOTARY_DELEGATION_PASSPHRASE");
  return vars;
}

std::string passphrase_display_role(std::string_view role) {
  if (role == "targets" || role == "snapshot") return "repository";
  return std::string(role);
}

PassphrasePrompt::PassphrasePrompt() : PassphrasePrompt(process_env(), open_controlling_terminal) {}

PassphrasePrompt::PassphrasePrompt(EnvLookup env, TerminalOpener open_terminal)
    : env_(std::move(env)), open_terminal_(std::move(open_terminal)) {}

PassphrasePrompt::~PassphrasePrompt() = default;

Secret PassphrasePrompt::get(const PassphraseRequest& request) {
  for (const auto& var : passphrase_variables(request.role)) {
    auto value = env_(var);
    if (!value || value->empty()) continue;
    Secret passphrase(std::move(*value));
    trust::wipe(*value);
    // The variable cannot change between attempts: a second question means it is wrong.
    if (request.attempt > 0)
      throw Error(ErrorCode::passphrase_incorrect,
                  fmt::format("the passphrase in {} does not open {}", var, key_name(request)),
                  fmt::format("correct {} or unset it to be asked on the terminal", var));
    return passphrase;
  }
  return from_terminal(request);
}

Terminal* PassphrasePrompt::terminal() {
  if (!terminal_opened_) {
    terminal_opened_ = true;
    if (open_terminal_) terminal_ = open_terminal_();
  }
  return terminal_.get();
}

Secret PassphrasePrompt::from_terminal(const PassphraseRequest& request) {
  const std::string shown = passphrase_display_role(request.role);
  if (request.attempt == 0) {
    if (auto it = cache_.find(shown); it != cache_.end()) return copy(it->second);
  } else {
    cache_.erase(shown);
  }
  if (request.attempt >= kMaxTries)
    throw Error(ErrorCode::passphrase_incorrect,
                fmt::format("too many wrong passphrases for {}", key_name(request)));
  Terminal* term = terminal();
  if (!term) {
    const auto vars = passphrase_variables(request.role);
    std::string hint;
    if (vars.size() > 1) hint = fmt::format("or set {}, which notary reads too", vars[1]);
    throw Error(ErrorCode::passphrase_required,
                fmt::format("a passphrase is needed for {}, and there is no terminal to ask on: "
                            "set {}",
                            key_name(request), vars.front()),
                hint);
  }
  if (request.create_new) return ask_new(*term, request, shown);

  if (request.attempt > 0) term->write("Passphrase incorrect. Please retry.\n");
  term->write(
      fmt::format("Enter passphrase for {} key with ID {}: ", shown, request.key_id.substr(0, 7)));
  auto typed = term->read_hidden();
  if (!typed)
    throw Error(ErrorCode::cancelled, fmt::format("no passphrase given for {}", key_name(request)));
  Secret passphrase = trimmed(*typed);
  cache_.insert_or_assign(shown, copy(passphrase));
  return passphrase;
}

Secret PassphrasePrompt::ask_new(Terminal& term, const PassphraseRequest& request,
                                 const std::string& shown) {
  if (request.role == "root") term.write(kRootWarning);
  const std::string id7 = request.key_id.substr(0, 7);
  for (int tries = 0; tries < kMaxTries; ++tries) {
    term.write(fmt::format("Enter passphrase for new {} key with ID {}: ", shown, id7));
    auto first = term.read_hidden();
    if (!first)
      throw Error(ErrorCode::cancelled,
                  fmt::format("no passphrase given for {}", key_name(request)));
    Secret passphrase = trimmed(*first);
    if (passphrase.size() < kMinNewPassphrase) {
      term.write(
          fmt::format("Passphrase too short: use at least {} characters.\n", kMinNewPassphrase));
      continue;
    }
    term.write(fmt::format("Repeat passphrase for new {} key with ID {}: ", shown, id7));
    auto second = term.read_hidden();
    if (!second)
      throw Error(ErrorCode::cancelled,
                  fmt::format("no passphrase given for {}", key_name(request)));
    if (trimmed(*second).view() != passphrase.view()) {
      term.write("Passphrases do not match. Please retry.\n");
      continue;
    }
    cache_.insert_or_assign(shown, copy(passphrase));
    return passphrase;
  }
  throw Error(
      ErrorCode::passphrase_required,
      fmt::format("no usable passphrase for {} after {} tries", key_name(request), kMaxTries));
}

}  // namespace dct::plugin
