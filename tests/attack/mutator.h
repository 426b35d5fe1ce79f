#pragma once
// TEST ONLY. A repository's trust data as plain JSON, re-signed with the repository's own keys
// (root, targets, delegations) and with timestamp and snapshot keys of our own that a re-signed
// root lists. Attacks edit the "signed" objects or the served bytes, then re-seal as much of the
// chain as they want to stay consistent.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "trust/crypto/private_key.h"
#include "trust/crypto/signer.h"

namespace dct::attack {

// The whole file, or "" when it cannot be read.
std::string read_all(const std::filesystem::path& p);

// Every private key the mutator signs with, kept alive for the whole run.
class KeyPool {
 public:
  const trust::PrivateKey& add(trust::PrivateKey key);
  const trust::PrivateKey& generate();

 private:
  std::vector<std::unique_ptr<trust::PrivateKey>> keys_;
};

std::string expires_in(std::chrono::hours h);  // RFC 3339, UTC, from now

class Repo {
 public:
  std::string gun;
  std::map<std::string, nlohmann::json> meta;                     // role -> its "signed" object
  std::map<std::string, std::string> bytes;                       // role -> the envelope served
  std::map<std::string, std::vector<trust::SigningKey>> signers;  // role -> keys that sign it
  std::map<std::string, std::string> extra;  // further files served as they are, by name

 private:
  std::map<std::string, std::string> signed_as_;  // role -> what its bytes were made from

 public:
  // Signs one role's "signed" object with its signers. Unchanged roles keep their bytes (a
  // fresh ECDSA signature would make them differ from what a client already trusts).
  void sign(const std::string& role);
  // Points the snapshot (or, for "snapshot", the timestamp) at the current bytes of `role`.
  void link(const std::string& role);
  // Re-signs everything: root, delegations deepest first, targets, snapshot, timestamp.
  void seal();
  // Re-signs the snapshot after linking every targets role and root, then the timestamp.
  void seal_snapshot();
  void seal_timestamp();
  void bump(const std::string& role, long long by = 1);

  std::vector<std::string> targets_roles() const;  // "targets" and delegations
  // Adds a delegation signed by a new key; `parent` must be loaded.
  void add_delegation(KeyPool& pool, const std::string& parent, const std::string& name,
                      const std::vector<std::string>& paths);
  // Makes `role` (timestamp or snapshot) signed by a fresh key that the root lists.
  void rekey(KeyPool& pool, const std::string& role);
  // What the server serves, by file name: <role>.json, <role>.<sha256>.json, <version>.root.json.
  std::map<std::string, std::string> files() const;
};

// Loads what notary-server served for a repository (root, timestamp, snapshot, targets and
// delegations as <metadata_dir>/<role>.json) and the keys held in `trust_dir`, opened with the
// usual passphrase environment variables; then re-keys timestamp and snapshot and re-seals.
Repo load_baseline(const std::filesystem::path& metadata_dir,
                   const std::filesystem::path& trust_dir, const std::string& gun, KeyPool& pool);

}  // namespace dct::attack
