#pragma once
// Key files leaving and changing in the store: the PEM that notary's `key export` writes, and
// re-encryption under a new passphrase (`key passwd`).
#include <string>
#include <string_view>

#include "trust/crypto/key_store.h"
#include "trust/crypto/passphrase.h"

namespace dct::trust {

// Where notary's export says a key came from: its file's path below private/, without ".key"
// (`notary key import` stores the key back there).
std::string key_path_label(const KeyStore& store, const KeyEntry& key);

// The key file's PEM block as notary 0.7 exports it: unchanged, with a "path" header added.
// Throws dct::Error(invalid_argument) when the text holds no private key block, and refuses
// (dct::Error(invalid_argument)) an unencrypted one: exports are always encrypted.
std::string export_key_block(std::string_view key_file_text, std::string_view path_label);

// Re-encrypts a stored key under `new_passphrase`, in place and atomically, keeping its
// "role" and "gun" headers. The current passphrase comes from `current`. The file is written
// as notary writes key files (encrypted PKCS#8), whatever format it had. Throws
// dct::Error(invalid_argument) for an empty new passphrase, and what KeyStore::load throws.
void change_key_passphrase(KeyStore& store, const KeyEntry& key, PassphraseRetriever& current,
                           std::string_view new_passphrase);

}  // namespace dct::trust
