#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/passphrase_prompt.h"
#include "trust/crypto/key_backup.h"
#include "trust/crypto/key_reference.h"
#include "trust/crypto/key_store.h"

namespace dct::plugin {
namespace {

struct KeyPasswdArgs {
  std::string key;
};

constexpr const char* kNewPassphraseVariable = "DCT_NEW_PASSPHRASE";

// The new passphrase: DCT_NEW_PASSPHRASE, else typed twice on the terminal. The variables
// that hold current passphrases are never read for it.
trust::Secret typed_or_given_new_passphrase(const trust::KeyEntry& key) {
  if (auto value = process_env()(kNewPassphraseVariable); value && !value->empty()) {
    trust::Secret passphrase(std::move(*value));
    trust::wipe(*value);
    return passphrase;
  }
  auto terminal = open_controlling_terminal();
  if (!terminal)
    throw Error(ErrorCode::passphrase_required,
                fmt::format("a new passphrase is needed for the {}, and there is no terminal to "
                            "ask on",
                            trust::describe_key(key)),
                fmt::format("set {}", kNewPassphraseVariable));
  auto held = std::make_shared<std::unique_ptr<Terminal>>(std::move(terminal));
  PassphrasePrompt prompt([](const std::string&) { return std::optional<std::string>(); },
                          [held] { return std::move(*held); });
  return prompt.get(trust::PassphraseRequest{key.id, key.role, key.gun, true, 0});
}

int run_key_passwd(Context& ctx, const KeyPasswdArgs& args) {
  trust::KeyStore store(ctx.session().trust_dir());
  const trust::KeyEntry key = trust::resolve_key(store, args.key);
  PassphrasePrompt current;
  // Opened first: a wrong current passphrase ends the run before a new one is asked for.
  store.load(key.id, current);
  const trust::Secret passphrase = typed_or_given_new_passphrase(key);
  trust::change_key_passphrase(store, key, current, passphrase.view());
  *ctx.out << fmt::format("Successfully updated passphrase for {}\n", trust::describe_key(key));
  return 0;
}

}  // namespace

Command key_passwd_command() {
  Command c;
  c.path = "key passwd";
  c.usage = "[OPTIONS] KEYID|NAME";
  c.summary = "Change the passphrase of a private key";
  c.description =
      "Re-encrypt a private key of the trust dir under a new passphrase, replacing its file\n"
      "atomically. The current passphrase comes from the usual variables\n"
      "(DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE, ..._REPOSITORY_PASSPHRASE, NOTARY_*_PASSPHRASE)\n"
      "or the terminal; the new one from DCT_NEW_PASSPHRASE or the terminal, asked twice.";
  c.examples = "  docker dct key passwd root\n  docker dct key passwd 1a2b3c4d\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<KeyPasswdArgs>();
    app.add_option("KEYID|NAME", bound->key, "The key: its ID, a unique ID prefix, or its name")
        ->required();
    return [bound](Context& ctx) { return run_key_passwd(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
