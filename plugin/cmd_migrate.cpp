// `migrate`: sigstore (cosign) signatures for the digests Notary trust data vouches for, so that
// the trust survives the Notary server's retirement.
#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>

#include "base/files.h"
#include "plugin/command.h"
#include "plugin/format/output.h"
#include "plugin/migrate_flow.h"
#include "plugin/passphrase_prompt.h"
#include "trust/crypto/der_signature.h"
#include "trust/crypto/key_file.h"

namespace dct::plugin {
namespace {

struct MigrateArgs {
  std::vector<std::string> images;
  std::string key;
  bool all_tags = false;
  bool dry_run = false;
  std::string format;
};

constexpr const char* kMigratePassphraseVariable = "DCT_MIGRATE_PASSPHRASE";

trust::PrivateKey load_migrate_key(const std::string& file) {
  auto pem = read_file_capped(file, 1 << 20);
  if (!pem)
    throw Error(
        ErrorCode::io_failure,
        fmt::format("can't read the signing key {}: missing, unreadable or over 1 MiB", file),
        "give --key a PEM file holding an ECDSA P-256 private key");
  trust::Secret text(std::move(*pem));
  auto info = trust::key_file_info(text.view());
  if (!info)
    throw Error(ErrorCode::invalid_argument, fmt::format("{} holds no PEM private key", file),
                "give --key an ECDSA P-256 private key (PKCS#8 \"PRIVATE KEY\" or SEC1 \"EC "
                "PRIVATE KEY\", plain or encrypted)");
  std::optional<trust::PrivateKey> key;
  if (!info->encrypted) {
    key = trust::read_key_file(text.view(), "");
  } else if (const char* env = std::getenv(kMigratePassphraseVariable); env && *env) {
    try {
      key = trust::read_key_file(text.view(), env);
    } catch (const trust::IncorrectPassphrase&) {
      throw Error(ErrorCode::passphrase_incorrect,
                  fmt::format("{} does not open {}", kMigratePassphraseVariable, file),
                  fmt::format("set {} to the key's passphrase", kMigratePassphraseVariable));
    }
  } else {
    auto terminal = open_controlling_terminal();
    if (!terminal)
      throw Error(
          ErrorCode::passphrase_required,
          fmt::format("{} is encrypted and there is no terminal to ask for its passphrase", file),
          fmt::format("set {}", kMigratePassphraseVariable));
    for (int attempt = 0; !key; ++attempt) {
      terminal->write(fmt::format("Enter passphrase for the signing key {}: ", file));
      auto typed = terminal->read_hidden();
      if (!typed) throw Error(ErrorCode::cancelled, "no passphrase given");
      try {
        key = trust::read_key_file(text.view(), typed->view());
      } catch (const trust::IncorrectPassphrase&) {
        if (attempt >= 2) throw;
        terminal->write("Wrong passphrase, please try again.\n");
      }
    }
  }
  if (!trust::is_p256_key(*key))
    throw Error(
        ErrorCode::invalid_argument,
        fmt::format("{} holds a {} key; sigstore signatures need ECDSA P-256", file, key->type()),
        "make one with `openssl ecparam -name prime256v1 -genkey -noout -out KEY` or "
        "`cosign generate-key-pair`-compatible tooling");
  return std::move(*key);
}

int run_migrate(Context& ctx, const MigrateArgs& args) {
  const auto output = format::OutputFormat::parse(args.format);
  const trust::PrivateKey key = load_migrate_key(args.key);
  MigrateOptions options{args.all_tags, args.dry_run};
  std::vector<MigrateRow> rows;
  std::vector<std::string> warnings;
  for (const auto& image : args.images) {
    auto more = migrate_image(ctx.session(), image, key, options, warnings);
    rows.insert(rows.end(), more.begin(), more.end());
  }
  for (const auto& w : warnings) ctx.warn(w);
  if (!output.human())
    *ctx.out << output.render(migrate_json(rows));
  else
    *ctx.out << migrate_table(rows);
  int named_skipped = 0;
  for (const auto& r : rows)
    if (r.named && r.status == "skipped") ++named_skipped;
  if (named_skipped > 0) {
    *ctx.err << fmt::format(
        "{} of the tags named were not migrated: their trust data does not "
        "vouch for them (see RESULT)\n",
        named_skipped);
    return 1;
  }
  return 0;
}

}  // namespace

Command migrate_command() {
  Command c;
  c.path = "migrate";
  c.usage = "[OPTIONS] IMAGE[:TAG]...";
  c.summary = "Carry trusted tags over to sigstore (cosign) signatures";
  c.description =
      "Sign the digest each tag's trust data vouches for with a sigstore (cosign) signature,\n"
      "so that cosign, podman, Kyverno or the sigstore policy-controller can check it once the\n"
      "Notary server is gone.\n\n"
      "A tag counts when it is signed in targets/releases, or failing that in targets; every\n"
      "signature, expiry and hash of the trust data is verified first, and only the digest it\n"
      "vouches for is signed. The signature goes to the tag sha256-<hex>.sig of the same\n"
      "repository, next to any signatures already there; running again adds nothing new.\n"
      "Tags that are not trusted are listed as skipped with the reason (exit status 1 when a\n"
      "tag named on the command line is skipped).\n\n"
      "The key is a PEM ECDSA P-256 private key (PKCS#8 or SEC1). An encrypted key is opened\n"
      "with DCT_MIGRATE_PASSPHRASE, or a passphrase typed at the terminal.";
  c.examples =
      "  docker dct migrate --key cosign.key registry.example.com/team/app:1.4\n"
      "  docker dct migrate --key cosign.key --all-tags --dry-run registry.example.com/team/app\n"
      "  cosign verify --key cosign.pub --insecure-ignore-tlog registry.example.com/team/app:1.4\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<MigrateArgs>();
    MigrateArgs& a = *bound;
    app.add_option("IMAGE", a.images, "Image references (repositories with --all-tags)")
        ->required();
    app.add_option("--key", a.key, "PEM file of the ECDSA P-256 private key to sign with")
        ->required()
        ->type_name("FILE");
    app.add_flag("--all-tags", a.all_tags, "Migrate every trusted tag of each repository");
    app.add_flag("--dry-run", a.dry_run, "List what would be signed; write nothing");
    app.add_option("--format", a.format, format::format_flag_help("one object per tag"))
        ->type_name("string");
    return [bound](Context& ctx) { return run_migrate(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
