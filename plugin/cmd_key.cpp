#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <regex>
#include <sstream>

#include "base/files.h"
#include "plugin/command.h"
#include "plugin/format/output.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/table.h"
#include "registry/endpoints.h"
#include "registry/notary_config.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/key_generation.h"
#include "trust/crypto/key_store.h"
#include "trust/crypto/x509.h"
#include "trust/formats/pem.h"

namespace dct::plugin {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path trust_dir_of(const Context& ctx) { return ctx.session().trust_dir(); }

// Certificates of keys made or imported here, so that `key list` can say whose key it is.
fs::path certificate_path(const fs::path& trust_dir, const std::string& id) {
  return trust_dir / "certificates" / (id + ".crt");
}

std::string read_file(const std::string& path) {
  auto bytes = read_file_capped(path, 1 << 20);
  if (!bytes)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot read \"{}\" (missing, unreadable or over 1 MiB)", path));
  return *bytes;
}

void write_new_file(const fs::path& path, const std::string& bytes, unsigned mode) {
  if (fs::exists(path))
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} already exists; it was left alone", path.string()),
                "remove it, or choose another --dir");
  write_file_atomic(path, bytes, mode);
}

// ---- generate ----

struct GenerateArgs {
  std::string name;
  std::string type = "ecdsa";
  int bits = 2048;
  std::string dir = ".";
  int days = 365;
  bool csr = false;
};

int run_generate(Context& ctx, const GenerateArgs& args) {
  static const std::regex kName("^[a-z0-9][a-z0-9_.-]*$");
  if (!std::regex_match(args.name, kName) || args.name.size() > 64)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("\"{}\" is not a valid key name: use lower-case letters, digits, "
                            "'_', '.' and '-', starting with a letter or digit",
                            args.name));
  if (args.days < 1 || args.days > 3650)
    throw Error(ErrorCode::invalid_argument, "--days must be between 1 and 3650");
  const fs::path dir(args.dir);
  if (!fs::is_directory(dir))
    throw Error(ErrorCode::io_failure,
                fmt::format("public key path does not exist: \"{}\"", dir.string()),
                "create the directory first, or choose another --dir");
  const fs::path crt = dir / (args.name + ".crt");
  const fs::path pub = dir / (args.name + ".pub");
  const fs::path csr = dir / (args.name + ".csr");
  for (const auto& p : {crt, pub, csr})
    if ((p != csr || args.csr) && fs::exists(p))
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{} already exists; nothing was generated", p.string()),
                  "remove it, or choose another --dir");
  trust::PrivateKey key = trust::generate_key(args.type, args.bits);
  const auto now = std::chrono::system_clock::now();
  const std::string cert =
      trust::create_certificate(key, args.name, now, now + std::chrono::hours(24) * args.days);
  const fs::path trust_dir = trust_dir_of(ctx);
  PassphrasePrompt passphrases;
  trust::KeyStore store(trust_dir);
  const std::string id = store.add(key, args.name, "", passphrases);
  write_file_atomic(certificate_path(trust_dir, id), cert, 0600);
  write_new_file(crt, cert, 0644);
  write_new_file(pub, trust::public_key_file(key.public_key(), args.name), 0644);
  if (args.csr) write_new_file(csr, trust::create_certificate_request(key, args.name), 0644);
  *ctx.out << fmt::format("Generated a {} key for {} with ID {}\n", args.type, args.name, id);
  *ctx.out << fmt::format("Private key stored encrypted in {}\n", store.dir().string());
  *ctx.out << fmt::format(
      "Successfully generated and loaded private key. Corresponding public key available: {}\n",
      pub.string());
  *ctx.out << fmt::format("Certificate: {} (give it, or the public key, to the repository owner)\n",
                          crt.string());
  if (args.csr)
    *ctx.out << fmt::format("Certificate request: {} (to send to a CA)\n", csr.string());
  return 0;
}

// ---- import ----

struct ImportArgs {
  std::string file;
  std::string role;
  std::string gun;
  std::string cert;
};

// One PEM block of the file (its text up to the block's END line).
void import_block(Context& ctx, const ImportArgs& args, const std::string& pem,
                  PassphrasePrompt& passphrases, trust::KeyStore& store) {
  auto info = trust::key_file_info(pem);
  if (!info) {
    auto block = trust::pem_decode(pem);
    throw Error(ErrorCode::invalid_argument,
                block ? fmt::format("{} holds a {}, not a private key: import the private key "
                                    "file (.key)",
                                    args.file, block->type)
                      : fmt::format("{} holds no PEM private key", args.file));
  }
  std::string role = !args.role.empty()    ? args.role
                     : !info->role.empty() ? info->role
                                           : "delegation";
  const std::string gun = !args.gun.empty() ? args.gun : info->gun;
  if ((role == "targets" || role == "snapshot") && gun.empty())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("a {} key belongs to one repository: give --gun", role));
  if (role == "timestamp")
    throw Error(ErrorCode::invalid_argument, "timestamp keys live on the notary server only");
  std::optional<trust::PrivateKey> key;
  for (int attempt = 0; !key; ++attempt) {
    try {
      if (!info->encrypted) {
        key = trust::read_key_file(pem, "");
      } else {
        trust::PassphraseRequest q{fs::path(args.file).filename().string(), role, gun, false,
                                   attempt};
        trust::Secret pass = passphrases.get(q);
        key = trust::read_key_file(pem, pass.view());
      }
    } catch (const trust::IncorrectPassphrase&) {
      if (!info->encrypted || attempt >= 2) throw;
    }
  }
  trust::check_key_strength(*key, args.file);
  const std::string id = store.add(*key, role, gun, passphrases);
  if (!args.cert.empty()) {
    const std::string cert = read_file(args.cert);
    auto facts = trust::certificate_facts(cert);
    if (!facts || facts->spki_der.empty())
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{} is not a certificate (the key was imported)", args.cert));
    write_file_atomic(certificate_path(trust_dir_of(ctx), id), cert, 0600);
  }
  *ctx.out << fmt::format("Imported {} key {} from {}\n", role, id, args.file);
}

// Every PEM block of the file: `key export` (dct's and notary's) writes several keys to one.
int run_import(Context& ctx, const ImportArgs& args) {
  const std::string text = read_file(args.file);
  std::vector<std::string> blocks;
  std::string_view rest = text;
  for (std::string_view after; trust::pem_decode(rest, &after);) {
    const std::string_view block = rest.substr(0, rest.size() - after.size());
    if (trust::key_file_info(block)) blocks.emplace_back(block);  // certificates beside keys
    rest = after;
  }
  if (blocks.size() > 1 && !args.cert.empty())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} holds {} keys, and --cert belongs to one: import them without "
                            "--cert",
                            args.file, blocks.size()));
  if (blocks.empty()) blocks.push_back(text);
  PassphrasePrompt passphrases;
  trust::KeyStore store(trust_dir_of(ctx));
  for (const auto& pem : blocks) import_block(ctx, args, pem, passphrases, store);
  return 0;
}

// ---- list ----

struct KeyListArgs {
  std::string format;
  bool no_trunc = false;
};

int run_key_list(Context& ctx, const KeyListArgs& args) {
  const auto output = format::OutputFormat::parse(args.format);
  const fs::path trust_dir = trust_dir_of(ctx);
  trust::KeyStore store(trust_dir);
  std::vector<std::string> warnings;
  auto keys = store.list(&warnings);
  for (const auto& w : warnings) ctx.warn(w);
  std::stable_sort(keys.begin(), keys.end(),
                   [](const trust::KeyEntry& a, const trust::KeyEntry& b) {
                     const bool ar = a.role == "root", br = b.role == "root";
                     if (ar != br) return ar;
                     return std::tie(a.gun, a.role, a.id) < std::tie(b.gun, b.role, b.id);
                   });
  struct Cert {
    std::string name, expires;
    std::optional<trust::TimePoint> not_after;
  };
  auto cert_of = [&](const std::string& id) -> Cert {
    auto pem = read_file_capped(certificate_path(trust_dir, id), 1 << 20);
    if (!pem) return {};
    auto facts = trust::certificate_facts(*pem);
    if (!facts) return {};
    return {facts->common_name, trust::format_human(facts->not_after), facts->not_after};
  };
  if (!output.human()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& k : keys) {
      const Cert c = cert_of(k.id);
      nlohmann::ordered_json j;
      j["id"] = k.id;
      j["role"] = k.role;
      j["gun"] = k.gun;
      j["location"] = k.path.string();
      j["certificate"] = c.name.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(c.name);
      j["expires"] = c.not_after ? nlohmann::ordered_json(trust::format_rfc3339_nano(*c.not_after))
                                 : nlohmann::ordered_json();
      out.push_back(std::move(j));
    }
    *ctx.out << output.render(out);
    return 0;
  }
  if (keys.empty()) {
    *ctx.out << "No signing keys found.\n";
    return 0;
  }
  // By default the table fits an 80-column terminal, as docker's do: short key IDs (any unique
  // prefix is accepted wherever a key ID is), the expiry's date; --no-trunc adds the rest.
  std::vector<std::vector<std::string>> rows;
  if (args.no_trunc) {
    rows = {{"ROLE", "GUN", "KEY ID", "LOCATION", "CERTIFICATE", "EXPIRES"},
            {"----", "---", "------", "--------", "-----------", "-------"}};
  } else {
    rows = {{"ROLE", "GUN", "KEY ID", "CERTIFICATE", "EXPIRES"},
            {"----", "---", "------", "-----------", "-------"}};
  }
  for (const auto& k : keys) {
    const Cert c = cert_of(k.id);
    if (args.no_trunc)
      rows.push_back({k.role, k.gun, k.id, k.path.string(), c.name, c.expires});
    else
      rows.push_back({k.role, k.gun, k.id.substr(0, 12), c.name, c.expires.substr(0, 10)});
  }
  *ctx.out << "\n" << render_table(rows, kNotaryTable) << "\n";
  return 0;
}

}  // namespace

Command key_generate_command() {
  Command c;
  c.path = "key generate";
  c.usage = "[OPTIONS] NAME";
  c.summary = "Make a collaborator's signing key and certificate";
  c.description =
      "Make a signing key for a collaborator called NAME, as `docker trust key generate` does:\n"
      "the private key is stored encrypted in the trust dir under NAME, DIR/NAME.pub is its\n"
      "public key (for `docker dct signer add`) and DIR/NAME.crt a self-signed certificate\n"
      "(CN = NAME, for `docker dct delegation add`). --csr also writes DIR/NAME.csr to have\n"
      "the certificate issued by a CA instead.";
  c.examples = "  docker dct key generate jeff --dir ~/keys\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<GenerateArgs>();
    GenerateArgs& args = *bound;
    app.add_option("NAME", args.name, "Collaborator name (certificate CN)")->required();
    app.add_option("--type", args.type, "ecdsa (P-256, default) or rsa")->type_name("string");
    app.add_option("--bits", args.bits, "RSA key size, 2048 at least (default 2048)")
        ->type_name("int");
    app.add_option("--dir", args.dir,
                   "Directory to write NAME.pub and NAME.crt in (default: current directory)")
        ->type_name("string");
    app.add_option("--days", args.days, "Certificate validity in days (default 365)")
        ->type_name("int");
    app.add_flag("--csr", args.csr, "Also write a certificate request NAME.csr");
    return [bound](Context& ctx) { return run_generate(ctx, *bound); };
  };
  return c;
}

Command key_import_command() {
  Command c;
  c.path = "key import";
  c.usage = "[OPTIONS] FILE";
  c.summary = "Import a private key into the trust dir";
  c.description =
      "Import a PEM private key (PKCS#1, PKCS#8 or SEC1, encrypted or not, as openssl writes\n"
      "them) into the trust dir's key store, encrypted with a new passphrase, in notary's\n"
      "format. Prints the key ID. RSA keys need 2048 bits at least.";
  c.examples = "  docker dct key import jeff.key --role user\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<ImportArgs>();
    ImportArgs& args = *bound;
    app.add_option("FILE", args.file, "PEM private key file")->required();
    app.add_option("--role", args.role,
                   "Role the key is for (default: the file's, else delegation)")
        ->type_name("string");
    app.add_option("--gun", args.gun, "Repository, for targets and snapshot keys")
        ->type_name("string");
    app.add_option("--cert", args.cert, "The key's certificate, shown by `key list`")
        ->type_name("string");
    return [bound](Context& ctx) { return run_import(ctx, *bound); };
  };
  return c;
}

Command key_list_command() {
  Command c;
  c.path = "key list";
  c.usage = "[OPTIONS]";
  c.summary = "List the private keys in the trust dir";
  c.description =
      "List the private keys in the trust dir (those of notary and `docker trust` too): role,\n"
      "repository, key ID, and for keys whose certificate is known its name and expiry. The\n"
      "table fits 80 columns; --no-trunc shows full key IDs and key files, --format json all.";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<KeyListArgs>();
    KeyListArgs& args = *bound;
    app.add_option(
           "--format", args.format,
           format::format_flag_help("id, role, gun, location, certificate and expires of each key"))
        ->type_name("string");
    app.add_flag("--no-trunc", args.no_trunc, "Full key IDs, the key files and expiry times");
    return [bound](Context& ctx) { return run_key_list(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
