#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/init_root_key.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"

namespace dct::plugin {
namespace {

// One line per staged change, as `docker dct status` would name it.
std::string staged_lines(const std::vector<trust::Change>& changes) {
  std::string out;
  for (const auto& c : changes)
    out += fmt::format("\n  {} {} {}{}", c.action, c.type, c.role,
                       c.path.empty() ? "" : fmt::format(" \"{}\"", c.path));
  return out;
}

struct PublishArgs {
  std::string image;
  bool server_managed_snapshot = false;
  std::string root_key;   // init --rootkey
  std::string root_cert;  // init --rootcert
};

int run_publish(Context& ctx, const PublishArgs& args, bool init) {
  const auto ref = registry::parse_repository(args.image);
  RepositoryClient client(ctx.session(), ref, registry::kPushPull);
  PassphrasePrompt passphrases;
  SigningKeys keys(client.trust_dir(), passphrases);
  const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
  EditOptions options;
  options.init_if_missing = init;
  options.server_managed_snapshot = args.server_managed_snapshot;
  PublishReport report;
  if (!args.root_cert.empty() && args.root_key.empty())
    throw Error(ErrorCode::invalid_argument, "--rootcert needs --rootkey: the key it certifies");
  try {
    if (init && !args.root_key.empty()) {
      std::optional<std::filesystem::path> cert;
      if (!args.root_cert.empty()) cert = args.root_cert;
      const InitRoot root = import_init_root(keys, passphrases, args.root_key, cert, ref.gun());
      options.root_key_id = root.key_id;
      options.root_certificate = root.certificate;
    }
    if (init) {
      OpenedRepository opened = open_for_edit(client, keys, options);
      const auto staged = trust::Changelist::for_repository(client.trust_dir(), ref.gun()).list();
      const std::string count =
          fmt::format("{} change{} staged earlier", staged.size(), staged.size() == 1 ? "" : "s");
      if (!opened.created && !opened.unpublished) {
        *ctx.out << fmt::format("{} already has trust data on {}\n", ref.gun(),
                                client.server().url);
        if (!staged.empty())
          *ctx.out << fmt::format("{} stay staged: `docker dct publish {}` publishes them{}\n",
                                  count, ref.gun(), staged_lines(staged));
        return 0;
      }
      *ctx.out << fmt::format("Initialized trust data for {}\n", ref.gun());
      // As `notary init -p`: what was staged before goes out with the new trust data.
      if (!staged.empty())
        *ctx.out << fmt::format(
            "{} will be published with this init (`docker dct status {}` "
            "listed them):{}\n",
            count, ref.gun(), staged_lines(staged));
    }
    report = publish_changes(client, keys, options,
                             [&](const std::string& line) { *ctx.out << line << "\n"; });
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  if (report.files.empty()) {
    *ctx.out << fmt::format("No changes to publish for {}\n", ref.gun());
    return 0;
  }
  *ctx.out << fmt::format("Successfully published changes for repository {}\n", ref.gun());
  return 0;
}

}  // namespace

Command publish_command() {
  Command c;
  c.path = "publish";
  c.check_args = check_image_args;
  c.usage = "[OPTIONS] IMAGE";
  c.summary = "Publish the staged changes of a repository";
  c.description =
      "Publish the changes staged for a repository (`docker dct status` lists them; `notary`\n"
      "stages into the same place). Changed roles are re-signed and uploaded in one request;\n"
      "the staged changes are dropped only when the notary server accepted them.";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<PublishArgs>();
    PublishArgs& flags = *bound;
    app.add_option("IMAGE", flags.image, "Repository (image name or GUN)")->required();
    return [bound](Context& ctx) {
      PublishArgs& args = *bound;
      return run_publish(ctx, args, false);
    };
  };
  return c;
}

Command init_command() {
  Command c;
  c.path = "init";
  c.check_args = check_image_args;
  c.usage = "[OPTIONS] IMAGE";
  c.summary = "Create trust data for a repository";
  c.description =
      "Create and publish trust data for a repository, as `notary init -p` does: a root key\n"
      "(the first root key in the trust dir, else a new one) with a self-signed certificate,\n"
      "new targets and snapshot keys, and the server's timestamp key. With\n"
      "--server-managed-snapshot the notary server holds the snapshot key instead.\n"
      "--rootkey FILE uses an organisation's root key (an encrypted PEM, as `notary key\n"
      "export` and `docker dct key export` write) and --rootcert FILE its certificate.";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<PublishArgs>();
    PublishArgs& flags = *bound;
    app.add_option("IMAGE", flags.image, "Repository (image name or GUN)")->required();
    app.add_flag("--server-managed-snapshot", flags.server_managed_snapshot,
                 "Let the notary server hold the snapshot key");
    app.add_option("--rootkey", flags.root_key,
                   "Encrypted root key file to use (imported into the trust dir)")
        ->type_name("FILE");
    app.add_option("--rootcert", flags.root_cert,
                   "Certificate of the --rootkey key for this repository (default: a new one)")
        ->type_name("FILE");
    return [bound](Context& ctx) {
      PublishArgs& args = *bound;
      return run_publish(ctx, args, true);
    };
  };
  return c;
}

}  // namespace dct::plugin
