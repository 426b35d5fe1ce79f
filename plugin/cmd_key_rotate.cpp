#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "plugin/command.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "plugin/root_rotation.h"
#include "trust/crypto/key_reference.h"
#include "trust/publish/key_rotation.h"

namespace dct::plugin {
namespace {

struct RotateArgs {
  std::string image;
  std::string role;
  bool server_managed = false;
  std::string key;
  bool yes = false;
};

// The notary server's key rotation (POST <gun>/_trust/tuf/<role>.key).
class NotaryKeyRotation final : public trust::ServerKeyRotation {
 public:
  explicit NotaryKeyRotation(registry::NotaryRemote& remote) : remote_(remote) {}
  trust::PublicKey rotate_server_key(const std::string& role) override {
    return trust::PublicKey::from_json(
        nlohmann::json::parse(remote_.rotate_key(role), nullptr, false));
  }

 private:
  registry::NotaryRemote& remote_;
};

}  // namespace

Command key_rotate_command() {
  Command c;
  c.path = "key rotate";
  c.usage = "[OPTIONS] IMAGE ROLE";
  c.summary = "Replace a repository's root, targets, snapshot or timestamp key";
  c.description =
      "Replace the key of a base role and publish at once, as `notary key rotate` does.\n\n"
      "  snapshot -r   hand the snapshot key to the notary server (needed before collaborators\n"
      "                in targets/releases can publish signatures)\n"
      "  snapshot      take the snapshot key back: a new key kept in this trust dir\n"
      "  targets       a new targets key in this trust dir\n"
      "  timestamp -r  a new timestamp key on the server\n"
      "  root          a new root key (after a confirmation; --yes for scripts): the new root\n"
      "                is signed by the current and the new root keys, so that every client\n"
      "                (dct, notary, docker) that trusts the current root follows\n\n"
      "--key KEYID|NAME rotates to a key already in the trust dir instead of a new one.\n"
      "The root is re-signed with the root key, which must be in the trust dir.";
  c.examples =
      "  docker dct key rotate registry.example.com/team/app snapshot -r\n"
      "  docker dct key rotate registry.example.com/team/app root\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<RotateArgs>();
    RotateArgs& flags = *bound;
    app.add_option("IMAGE", flags.image, "Repository (image name or GUN)")->required();
    app.add_option("ROLE", flags.role, "root, targets, snapshot or timestamp")->required();
    app.add_flag("-r,--server-managed", flags.server_managed,
                 "The notary server makes and holds the new key");
    app.add_option("-k,--key", flags.key, "Rotate to this key of the trust dir (KEYID|NAME)")
        ->type_name("KEYID|NAME");
    app.add_flag("-y,--yes", flags.yes, "Do not ask for confirmation (root)");
    return [bound](Context& ctx) {
      RotateArgs& args = *bound;
      const auto ref = registry::parse_repository(args.image);
      if (args.role == "root") {
        if (args.server_managed)
          throw Error(ErrorCode::invalid_argument,
                      "the root key is never held by the notary server: drop -r");
        return rotate_root(ctx, ref, RootRotation{args.key, args.yes});
      }
      if (args.role != "targets" && args.role != "snapshot" && args.role != "timestamp")
        throw Error(ErrorCode::invalid_role_name,
                    fmt::format("\"{}\" has no key to rotate: use root, targets, snapshot or "
                                "timestamp "
                                "(delegation keys change with `docker dct delegation add/remove`)",
                                args.role));
      if (args.role == "timestamp" && !args.server_managed)
        throw Error(ErrorCode::invalid_argument,
                    "the timestamp key always lives on the notary server: add -r");
      if (args.role == "targets" && args.server_managed)
        throw Error(ErrorCode::invalid_argument,
                    "the targets key cannot be held by the notary server: drop -r");
      if (args.server_managed && !args.key.empty())
        throw Error(ErrorCode::invalid_argument,
                    "-r lets the server make the key, --key names one held here: give one");
      RepositoryClient client(ctx.session(), ref, registry::kPushPull);
      PassphrasePrompt passphrases;
      SigningKeys keys(client.trust_dir(), passphrases);
      const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
      try {
        std::string existing_key_id;
        if (!args.key.empty()) {
          const auto entry = trust::resolve_key(keys.store(), args.key);
          if (entry.role == "root")
            throw Error(ErrorCode::invalid_argument,
                        fmt::format("the {} is a root key: the {} key must be another one",
                                    trust::describe_key(entry), args.role));
          existing_key_id = entry.id;
        }
        auto service = client.publishing(keys);
        NotaryKeyRotation server(client.remote());
        trust::rotate_base_key(
            service, keys, args.role, args.server_managed ? &server : nullptr,
            [&](const trust::PublishEvent& event) {
              *ctx.out << publish_event_line(event) << "\n";
            },
            existing_key_id);
      } catch (const Error& e) {
        rethrow_with_server(e, client.server());
      }
      *ctx.out << fmt::format("Successfully rotated {} key for repository {}\n", args.role,
                              ref.gun());
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
