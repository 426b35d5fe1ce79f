#pragma once
// The command line's answer to passphrase questions (protocol notes 5.1, 5.2): Docker's and
// notary's environment variables first, then the controlling terminal (/dev/tty, so that stdin
// and stdout can be pipes), never anything else. Passphrases are never printed, logged or put
// in error messages, and are cached for the process only.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/invocation.h"
#include "trust/crypto/passphrase.h"

namespace dct::plugin {

// Where prompts go and passphrases come from.
class Terminal {
 public:
  virtual ~Terminal() = default;
  virtual void write(std::string_view text) = 0;
  // One line typed without echo, the line end removed; nullopt at end of input.
  virtual std::optional<trust::Secret> read_hidden() = 0;
};

// The process's controlling terminal, or nullptr when it has none. Echo is turned off only
// while a passphrase is read and always turned back on (a cancellation request, see cancel.h,
// ends the read with dct::Error(cancelled)).
std::unique_ptr<Terminal> open_controlling_terminal();

// The environment variables holding the passphrase for a role's keys, in the order they are
// looked at: DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE, NOTARY_ROOT_PASSPHRASE for root;
// DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE then NOTARY_TARGETS_PASSPHRASE /
// NOTARY_SNAPSHOT_PASSPHRASE / NOTARY_DELEGATION_PASSPHRASE (any role but the four base
// roles) for the others. notary has no variable for timestamp keys.
std::vector<std::string> passphrase_variables(std::string_view role);

// The role as prompts name it: "repository" for targets and snapshot keys, like Docker.
std::string passphrase_display_role(std::string_view role);

class PassphrasePrompt final : public trust::PassphraseRetriever {
 public:
  using TerminalOpener = std::function<std::unique_ptr<Terminal>()>;

  // The process environment and the controlling terminal.
  PassphrasePrompt();
  // The terminal is opened on the first prompt; an opener returning nullptr means none.
  PassphrasePrompt(EnvLookup env, TerminalOpener open_terminal);
  ~PassphrasePrompt() override;
  PassphrasePrompt(const PassphrasePrompt&) = delete;
  PassphrasePrompt& operator=(const PassphrasePrompt&) = delete;

  // Throws dct::Error: passphrase_incorrect when a variable's passphrase was already wrong (no
  // prompt then) or after three wrong typed ones, passphrase_required when there is no
  // variable and no terminal, or when no acceptable new passphrase was typed in three tries,
  // cancelled at end of input.
  trust::Secret get(const trust::PassphraseRequest& request) override;

 private:
  trust::Secret from_terminal(const trust::PassphraseRequest& request);
  trust::Secret ask_new(Terminal& terminal, const trust::PassphraseRequest& request,
                        const std::string& shown_role);
  Terminal* terminal();

  EnvLookup env_;
  TerminalOpener open_terminal_;
  std::unique_ptr<Terminal> terminal_;
  bool terminal_opened_ = false;
  std::map<std::string, trust::Secret> cache_;  // by displayed role
};

}  // namespace dct::plugin
