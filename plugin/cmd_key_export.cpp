#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <ostream>

#include "base/files.h"
#include "plugin/command.h"
#include "plugin/passphrase_prompt.h"
#include "trust/crypto/key_backup.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/key_reference.h"
#include "trust/crypto/key_store.h"

namespace dct::plugin {
namespace {

namespace fs = std::filesystem;

struct KeyExportArgs {
  std::vector<std::string> keys;
  std::string output;
  bool all = false;
};

// The file's text as an export block. A key stored unencrypted (old tools allowed it) is
// encrypted for the export with a new passphrase: nothing leaves the store in clear.
std::string exported_block(trust::KeyStore& store, const trust::KeyEntry& key,
                           PassphrasePrompt& passphrases) {
  auto text = read_file_capped(key.path, 1 << 20);
  if (!text) throw Error(ErrorCode::io_failure, fmt::format("cannot read {}", key.path.string()));
  trust::Secret held(std::move(*text));
  if (!key.encrypted) {
    const trust::PrivateKey& opened = store.load(key.id, passphrases);
    const trust::Secret passphrase =
        passphrases.get(trust::PassphraseRequest{key.id, key.role, key.gun, true, 0});
    if (passphrase.empty())
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("the {} is stored unencrypted and needs a passphrase to be "
                              "exported; keys are never exported unencrypted",
                              trust::describe_key(key)));
    held = trust::write_key_file(opened, key.role, key.gun, passphrase.view());
  }
  return trust::export_key_block(held.view(), trust::key_path_label(store, key));
}

int run_key_export(Context& ctx, const KeyExportArgs& args) {
  if (args.all == !args.keys.empty())
    throw Error(ErrorCode::invalid_argument,
                args.all ? "give key IDs or names, or --all, not both"
                         : "name the keys to export (KEYID or NAME), or give --all",
                "`docker dct key list` shows the keys held");
  if (args.output.empty())
    throw Error(ErrorCode::invalid_argument, "give the file to write with -o FILE");
  const fs::path out(args.output);
  std::error_code ec;
  if (fs::exists(fs::symlink_status(out, ec)))
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} already exists; it was left alone", out.string()),
                "remove it, or choose another file");
  trust::KeyStore store(ctx.session().trust_dir());
  std::vector<trust::KeyEntry> chosen;
  std::vector<std::string> warnings;
  const auto held = store.list(&warnings);
  for (const auto& w : warnings) ctx.warn(w);
  if (args.all) {
    chosen = held;
    if (chosen.empty())
      throw Error(ErrorCode::key_not_found,
                  fmt::format("there are no private keys in {} to export", store.dir().string()));
  } else {
    for (const auto& ref : args.keys) {
      auto key = trust::resolve_key(held, ref, store.dir().string());
      const bool seen = std::any_of(chosen.begin(), chosen.end(),
                                    [&](const trust::KeyEntry& k) { return k.id == key.id; });
      if (!seen) chosen.push_back(std::move(key));
    }
  }
  PassphrasePrompt passphrases;
  std::string bytes;
  for (const auto& key : chosen) bytes += exported_block(store, key, passphrases);
  for (const auto& key : chosen)
    if (key.role == "root")
      ctx.warn(
          fmt::format("{} holds the root key {}: whoever has this file and its passphrase "
                      "can take over every repository it signs. Keep it offline.",
                      out.string(), key.id));
  write_file_atomic(out, bytes, 0600);
  for (const auto& key : chosen) *ctx.out << fmt::format("Exported {}\n", trust::describe_key(key));
  *ctx.out << fmt::format("{} key{} written, encrypted, to {}\n", chosen.size(),
                          chosen.size() == 1 ? "" : "s", out.string());
  return 0;
}

}  // namespace

Command key_export_command() {
  Command c;
  c.path = "key export";
  c.usage = "[OPTIONS] [KEYID|NAME...]";
  c.summary = "Back up private keys to an encrypted PEM file";
  c.description =
      "Write private keys from the trust dir to FILE as `notary key export` does: each key\n"
      "stays encrypted under its passphrase, with its role, repository and place as PEM\n"
      "headers, so `notary key import` and `docker dct key import` read it back. KEYID may be a\n"
      "unique prefix of 4 characters or more; NAME is the key's name (ROLE in `key list`).\n"
      "A root key is exported with a warning. FILE is created 0600 and never overwritten.";
  c.examples =
      "  docker dct key export root -o root-backup.pem\n"
      "  docker dct key export --all -o keys-backup.pem\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<KeyExportArgs>();
    KeyExportArgs& args = *bound;
    app.add_option("KEYID|NAME", args.keys, "Keys to export");
    app.add_option("-o,--output", args.output, "File to write (must not exist)")
        ->type_name("FILE")
        ->required();
    app.add_flag("--all", args.all, "Export every key in the trust dir");
    return [bound](Context& ctx) { return run_key_export(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
