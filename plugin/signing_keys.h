#pragma once
// The private keys a signing command may use: the trust dir's key store, opened with the
// passphrases the user gives (environment or terminal). Keys are decrypted once per run.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "trust/crypto/key_store.h"
#include "trust/crypto/passphrase.h"
#include "trust/publish/repo_editor.h"

namespace dct::plugin {

class SigningKeys final : public trust::KeyProvider {
 public:
  SigningKeys(const std::filesystem::path& trust_dir, trust::PassphraseRetriever& passphrases);

  bool has(const std::string& canonical_id) override;
  const trust::PrivateKey& get(const std::string& canonical_id, const std::string& role) override;

  std::vector<trust::KeyEntry> list() const;
  // The first root key in the store, as `notary init` picks one.
  std::optional<std::string> root_key_id() const;
  // A new ECDSA P-256 key, stored encrypted for `role` (with `gun` for targets and snapshot).
  const trust::PrivateKey& create(const std::string& role, const std::string& gun);

  trust::KeyStore& store() { return store_; }

 private:
  trust::KeyStore store_;
  trust::PassphraseRetriever& passphrases_;
  std::map<std::string, trust::PrivateKey> created_;
  std::optional<std::set<std::string>> held_;  // IDs in the store, listed once per run
};

}  // namespace dct::plugin
