#pragma once
// The private key store in <trust_dir>/private, as notary 0.7 keeps it (protocol notes 4.1,
// 4.2): one PEM file per key, named <canonical key ID>.key, with "role" and "gun" headers.
//
// Keys written by notary's older releases are read where they are, never moved:
//   0.1  private/root_keys/<id>_root.key, private/tuf_keys/<gun>/<id>_<role>.key
//   0.3  private/root_keys/<id>.key, private/tuf_keys/[<gun>/]<id>.key (role from the header)
// The GUN of a tuf_keys/ file is its directory below tuf_keys/. When one key ID has several
// files, the one directly in private/ wins. Symbolic links are never followed.
//
// New keys are always encrypted; files are 0600, new directories 0700, writes are atomic.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "trust/crypto/passphrase.h"
#include "trust/crypto/private_key.h"

namespace dct::trust {

struct KeyEntry {
  std::string id;    // canonical key ID
  std::string role;  // "root", "targets", "snapshot", a delegation name, "user"...
  std::string gun;   // empty for keys not bound to one repository
  std::filesystem::path path;
  bool encrypted = false;
  std::string location_label;  // what `notary key list` shows as LOCATION: <trust_dir>/private
};

class KeyStore {
 public:
  explicit KeyStore(std::filesystem::path trust_dir);

  const std::filesystem::path& dir() const noexcept { return dir_; }  // <trust_dir>/private

  // Every key file, sorted by ID. Files that are not private keys, unreadable or too large are
  // skipped; a reason for each goes to `warnings` when given.
  std::vector<KeyEntry> list(std::vector<std::string>* warnings = nullptr) const;
  bool has(const std::string& id) const { return find(id).has_value(); }
  std::optional<KeyEntry> find(const std::string& id) const;
  // Keys of `role`. With a non-empty `gun`, keys bound to another repository are left out
  // (keys bound to none, such as root and delegation keys, stay in).
  std::vector<KeyEntry> find_role(const std::string& role, const std::string& gun = {}) const;

  // The key, decrypted. Unencrypted files load without a question; otherwise `passphrases` is
  // asked (attempt 0, 1, 2) until the key opens. Loaded keys stay in memory for the store's
  // lifetime, so each key is asked for once; the reference stays valid as long as the store.
  // Throws dct::Error(key_not_found) when there is no such key, IncorrectPassphrase after three
  // wrong passphrases, dct::Error(key_id_mismatch) when the file holds a different key, and
  // whatever the retriever throws.
  const PrivateKey& load(const std::string& id, PassphraseRetriever& passphrases);

  // Stores a key encrypted with a new passphrase (asked with create_new) as private/<id>.key,
  // with notary's header rules (the "gun" header only for targets, snapshot and timestamp
  // keys). A key already held (same ID) is kept as it is, without asking. Returns the ID.
  // Throws dct::Error(invalid_argument) for an empty role or passphrase.
  std::string add(const PrivateKey& key, const std::string& role, const std::string& gun,
                  PassphraseRetriever& passphrases);

  // Deletes every file holding the key (key rotation). False when there was none.
  bool remove(const std::string& id);

 private:
  std::filesystem::path dir_;
  std::map<std::string, PrivateKey> loaded_;
};

}  // namespace dct::trust
