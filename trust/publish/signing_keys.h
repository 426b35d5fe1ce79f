#pragma once
// The private keys a signing operation may use: the trust dir's key store, opened with the
// passphrases the caller's PassphraseRetriever gives. Keys are decrypted once per run.
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "trust/crypto/key_store.h"
#include "trust/crypto/passphrase.h"
#include "trust/publish/repo_editor.h"

namespace dct::trust {

class SigningKeys final : public KeyProvider {
 public:
  SigningKeys(const std::filesystem::path& trust_dir, PassphraseRetriever& passphrases);

  bool has(const std::string& canonical_id) override;
  const PrivateKey& get(const std::string& canonical_id, const std::string& role) override;

  std::vector<KeyEntry> list() const;
  // The first root key in the store, as `notary init` picks one.
  std::optional<std::string> root_key_id() const;
  // A new ECDSA P-256 key, stored encrypted for `role` (with `gun` for targets and snapshot).
  const PrivateKey& create(const std::string& role, const std::string& gun);

  KeyStore& store() { return store_; }

 private:
  KeyStore store_;
  PassphraseRetriever& passphrases_;
  std::map<std::string, PrivateKey> created_;
  std::optional<std::set<std::string>> held_;  // IDs in the store, listed once per run
};

}  // namespace dct::trust
