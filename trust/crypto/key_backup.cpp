#include "trust/crypto/key_backup.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "base/files.h"
#include "trust/crypto/key_file.h"
#include "trust/formats/pem.h"

namespace dct::trust {

std::string key_path_label(const KeyStore& store, const KeyEntry& key) {
  std::filesystem::path relative = key.path.lexically_relative(store.dir());
  if (relative.empty() || relative.native().rfind("..", 0) == 0) relative = key.id;
  relative.replace_extension();
  return relative.generic_string();
}

std::string export_key_block(std::string_view key_file_text, std::string_view path_label) {
  const auto info = key_file_info(key_file_text);
  if (!info) throw Error(ErrorCode::invalid_argument, "the key file holds no private key block");
  if (!info->encrypted)
    throw Error(ErrorCode::invalid_argument,
                "the key file is not encrypted, and keys are never exported unencrypted");
  auto block = pem_decode(key_file_text);
  block->headers["path"] = std::string(path_label);
  return pem_encode(*block);
}

void change_key_passphrase(KeyStore& store, const KeyEntry& key, PassphraseRetriever& current,
                           std::string_view new_passphrase) {
  if (new_passphrase.empty())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("an empty passphrase is not allowed for the key {}: private keys are "
                            "never stored unencrypted",
                            key.id));
  const PrivateKey& opened = store.load(key.id, current);
  const Secret text = write_key_file(opened, key.role, key.gun, new_passphrase);
  write_file_atomic(key.path, text.str(), 0600);
}

}  // namespace dct::trust
