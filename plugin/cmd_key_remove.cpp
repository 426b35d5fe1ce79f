#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/confirm.h"
#include "trust/crypto/key_reference.h"
#include "trust/crypto/key_store.h"
#include "trust/tuf/key_uses.h"

namespace dct::plugin {
namespace {

struct KeyRemoveArgs {
  std::string key;
  bool yes = false;
};

std::string removal_question(const trust::KeyEntry& key, const std::vector<trust::KeyUse>& uses) {
  std::string q =
      fmt::format("Remove the {} from {}?", trust::describe_key(key), key.path.string());
  if (uses.empty()) {
    q += "\nNo repository in this trust dir's cached trust data lists it.";
  } else {
    q += "\nIt signs for:";
    for (const auto& u : uses) q += fmt::format("\n  {}  {}", u.gun, u.role);
    q += "\nWithout a copy elsewhere, these roles can no longer be signed from here.";
  }
  if (key.role == "root")
    q += "\nThis is a root key: a lost root key cannot be replaced for its repositories.";
  return q;
}

int run_key_remove(Context& ctx, const KeyRemoveArgs& args) {
  const auto trust_dir = ctx.session().trust_dir();
  trust::KeyStore store(trust_dir);
  const trust::KeyEntry key = trust::resolve_key(store, args.key);
  const auto uses = trust::cached_key_uses(trust_dir, key.id);
  if (!confirm(ctx, removal_question(key, uses), args.yes)) {
    *ctx.out << "Key removal cancelled; nothing was changed.\n";
    return 1;
  }
  store.remove(key.id);
  *ctx.out << fmt::format("Deleted {}\n", trust::describe_key(key));
  return 0;
}

}  // namespace

Command key_remove_command() {
  Command c;
  c.path = "key remove";
  c.usage = "[OPTIONS] KEYID|NAME";
  c.summary = "Delete a private key from the trust dir";
  c.description =
      "Delete a private key from the trust dir, after a confirmation that names the\n"
      "repositories and roles it signs for (from the trust data cached here). Back it up\n"
      "first with `docker dct key export` if it may be needed again. Alias: rm.";
  c.examples = "  docker dct key remove jeff\n  docker dct key rm --yes 1a2b3c4d\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<KeyRemoveArgs>();
    app.add_option("KEYID|NAME", bound->key, "The key: its ID, a unique ID prefix, or its name")
        ->required();
    app.add_flag("-y,--yes", bound->yes, "Do not ask for confirmation");
    return [bound](Context& ctx) { return run_key_remove(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin

namespace dct::plugin {

Command key_rm_command() {
  Command c = key_remove_command();
  c.path = "key rm";
  c.summary = "Alias of `key remove`";
  return c;
}

}  // namespace dct::plugin
