// `key load`, as `docker trust key load` does: a private key file imported into the trust dir
// under a name (the key file's "role" header, which is where Docker keeps it).
#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <regex>
#include <system_error>

#include "base/files.h"
#include "plugin/command.h"
#include "plugin/passphrase_prompt.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/key_generation.h"
#include "trust/crypto/key_store.h"
#include "trust/formats/pem.h"

namespace dct::plugin {
namespace {

namespace fs = std::filesystem;

struct KeyLoadArgs {
  std::string file;
  std::string name = "signer";
};

// The roles a key file may carry that are not names: those keys belong to `key import`.
bool key_load_base_role(const std::string& role) {
  return role == "root" || role == "targets" || role == "snapshot" || role == "timestamp";
}

int run_key_load(Context& ctx, const KeyLoadArgs& args) {
  static const std::regex kValidName("^[a-z0-9][a-z0-9_-]*$");
  if (!std::regex_match(args.name, kValidName))
    throw Error(ErrorCode::invalid_argument,
                fmt::format("key name \"{}\" must start with lowercase alphanumeric characters "
                            "and can include \"-\" or \"_\" after the first character",
                            args.name));
  *ctx.out << fmt::format("Loading key from \"{}\"...\n", args.file) << std::flush;
  struct stat st {};
  if (::stat(args.file.c_str(), &st) != 0)
    throw Error(ErrorCode::io_failure,
                fmt::format("refusing to load key from {}: {}", args.file,
                            std::error_code(errno, std::generic_category()).message()));
  if ((st.st_mode & 077) != 0)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("refusing to load key from {}: private key file {} must not be "
                            "readable or writable by others",
                            args.file, args.file),
                fmt::format("chmod 600 {}", args.file));
  auto pem = read_file_capped(args.file, 1 << 20);
  if (!pem)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("refusing to load key from {}: unreadable or over 1 MiB", args.file));
  auto info = trust::key_file_info(*pem);
  if (!info)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("provided file {} is not a supported private key", args.file),
                "to add a signer's public key use `docker dct signer add`");
  // As Docker (notary's ImportKeys): a role the file names wins over --name.
  const std::string role = info->role.empty() ? args.name : info->role;
  const std::string gun = key_load_base_role(role) ? info->gun : std::string();
  if (role == "timestamp")
    throw Error(ErrorCode::invalid_argument, "timestamp keys live on the notary server only");
  if ((role == "targets" || role == "snapshot") && gun.empty())
    throw Error(
        ErrorCode::invalid_argument,
        fmt::format("{} holds a {} key without its repository", args.file, role),
        fmt::format("import it with `docker dct key import {} --gun REPOSITORY`", args.file));
  PassphrasePrompt passphrases;
  std::optional<trust::PrivateKey> key;
  for (int attempt = 0; !key; ++attempt) {
    try {
      if (!info->encrypted) {
        key = trust::read_key_file(*pem, "");
      } else {
        trust::PassphraseRequest q{fs::path(args.file).filename().string(), role, gun, false,
                                   attempt};
        trust::Secret pass = passphrases.get(q);
        key = trust::read_key_file(*pem, pass.view());
      }
    } catch (const trust::IncorrectPassphrase&) {
      if (!info->encrypted || attempt >= 2) throw;
    }
  }
  trust::check_key_strength(*key, args.file);
  trust::KeyStore store(ctx.session().trust_dir());
  const std::string id = store.add(*key, role, gun, passphrases);
  if (role != args.name)
    ctx.warn(
        fmt::format("{} names its key \"{}\", so it was loaded under that name", args.file, role));
  *ctx.out << fmt::format("Successfully imported key from {}\n", args.file);
  *ctx.out << fmt::format("Key ID: {} (name {})\n", id, role);
  return 0;
}

}  // namespace

Command key_load_command() {
  Command c;
  c.path = "key load";
  c.check_args = check_key_load_args;
  c.usage = "[OPTIONS] KEYFILE";
  c.summary = "Load a private key file for signing";
  c.description =
      "Load a private key file for signing, as `docker trust key load` does: the key is stored\n"
      "encrypted (with a new passphrase) in the trust dir under NAME. The file must not be\n"
      "readable or writable by others; encrypted files ask for their passphrase.";
  c.examples = "  docker dct key load ~/keys/alice.key --name alice\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<KeyLoadArgs>();
    KeyLoadArgs& args = *bound;
    app.add_option("KEYFILE", args.file, "Private key file (PEM)")->required();
    app.add_option("--name", args.name, "Name for the loaded key (default \"signer\")")
        ->type_name("string");
    return [bound](Context& ctx) { return run_key_load(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
