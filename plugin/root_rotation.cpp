#include "plugin/root_rotation.h"

#include <fmt/format.h>

#include <chrono>
#include <ostream>

#include "plugin/confirm.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/key_reference.h"

namespace dct::plugin {
namespace {

std::string joined_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

std::string rotation_question(const std::string& gun, const trust::RepoEditor& editor,
                              const std::optional<trust::KeyEntry>& existing) {
  return fmt::format(
      "Rotate the root key of {}?\n"
      "  current root key: {}\n"
      "  new root key:     {}\n"
      "The new root is signed by both keys, so clients that trust the current root follow.\n"
      "Keep a backup of the new root key offline (`docker dct key export`).",
      gun, joined_ids(editor.signers("root").canonical_ids()),
      existing ? existing->id : std::string("a new key, made and stored encrypted here"));
}

}  // namespace

int rotate_root(Context& ctx, const registry::Reference& ref, const RootRotation& options) {
  RepositoryClient client(ctx.session(), ref, registry::kPushPull);
  PassphrasePrompt passphrases;
  SigningKeys keys(client.trust_dir(), passphrases);
  const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
  std::string new_id;
  try {
    OpenedRepository opened = open_for_edit(client, keys, {});
    if (!opened.editor.can_sign("root", keys))
      throw Error(ErrorCode::no_signing_key,
                  fmt::format("the root key of {} is not in this trust dir; only the holder of "
                              "the current root key can rotate it",
                              ref.gun()),
                  "import it with `docker dct key import`, or run this where it is held");
    std::optional<trust::KeyEntry> existing;
    if (!options.key.empty()) {
      existing = trust::resolve_key(keys.store(), options.key);
      if (existing->role != "root")
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("the {} is not a root key", trust::describe_key(*existing)),
                    "give a root key (ROLE root in `docker dct key list`), or none to make one");
    }
    if (!confirm(ctx, rotation_question(ref.gun(), opened.editor, existing), options.yes)) {
      *ctx.out << "Root key rotation cancelled; nothing was changed.\n";
      return 1;
    }
    const trust::PrivateKey& new_key =
        existing ? keys.get(existing->id, "root") : keys.create("root", "");
    new_id = new_key.id();
    const trust::PublicKey certificate =
        trust::root_certificate_key(new_key, ref.gun(), std::chrono::system_clock::now());
    publish_edit(
        client, keys, {}, [&](trust::RepoEditor& editor) { editor.rotate_root_key(certificate); },
        [&](const std::string& line) { *ctx.out << line << "\n"; });
  } catch (const Error& e) {
    if (!new_id.empty() && options.key.empty())
      ctx.warn(
          fmt::format("the new root key {} stays in the trust dir; nothing was published "
                      "with it, so it can be removed (`docker dct key remove {}`) or given "
                      "to the next rotation with --key",
                      new_id, new_id));
    rethrow_with_server(e, client.server());
  }
  *ctx.out << fmt::format("Successfully rotated root key for repository {}\n", ref.gun());
  *ctx.out << fmt::format("New root key: {}\n", new_id);
  return 0;
}

}  // namespace dct::plugin
