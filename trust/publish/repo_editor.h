#pragma once
// Editing a repository's trust data the way notary's publish does (protocol notes 7.1, 7.3):
// staged changes are applied to the verified roles in memory, every changed role is re-signed
// with its version bumped and its expiry renewed, and the snapshot is re-signed when its key is
// held locally (otherwise the server makes it). What comes out is the set of files for one
// atomic upload. No I/O here: keys come through KeyProvider, time through the caller.
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "trust/crypto/private_key.h"
#include "trust/formats/metadata.h"
#include "trust/publish/changelist.h"
#include "trust/tuf/updater.h"

namespace dct::trust {

// notary's default expiries (const.go): a "year" is 365 days.
inline constexpr std::chrono::hours kRootExpiry{24 * 365 * 10};
inline constexpr std::chrono::hours kTargetsExpiry{24 * 365 * 3};
inline constexpr std::chrono::hours kSnapshotExpiry{24 * 365 * 3};

// Private keys by canonical key ID (the key file name).
class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  virtual bool has(const std::string& canonical_id) = 0;
  // The key, decrypted (this may ask for a passphrase; `role` names it in the question).
  virtual const PrivateKey& get(const std::string& canonical_id, const std::string& role) = 0;
};

// A targets role (base or delegated) as an editable model.
struct EditableTargets {
  std::string name;
  long long version = 0;  // of the newest file; 0 when the role has no file yet
  std::map<std::string, FileMeta> targets;
  std::map<std::string, PublicKey> keys;  // delegation keys
  std::vector<DelegationRole> delegations;
  bool dirty = false;

  static EditableTargets from(const Targets& parsed);
  // The "signed" object as notary's structs encode it.
  nlohmann::json to_signed_json(long long new_version, const std::string& expires) const;
  DelegationRole* find_delegation(const std::string& role);
};

struct RepoFile {
  std::string role;  // "root", "targets", "targets/releases", "snapshot"
  std::string bytes;
};

// Keys a role lists: (ID in metadata, public key), and its threshold.
struct RoleSigners {
  std::vector<std::pair<std::string, PublicKey>> keys;
  int threshold = 1;
  std::vector<std::string> canonical_ids() const;
};

// The public keys a new repository needs besides the root key and its certificate key.
struct InitKeys {
  const PrivateKey* root = nullptr;
  PublicKey root_certificate;  // ecdsa-x509 / rsa-x509 wrapping root's certificate
  PublicKey targets;
  PublicKey snapshot;
  PublicKey timestamp;
};

class RepoEditor {
 public:
  // Starts from verified trust data (roots, snapshot and every role to be edited loaded).
  RepoEditor(std::string gun, const TrustedRepository& repo);

  // A repository that does not exist on the server yet, as `notary init` makes it: root v1
  // (signed by the root key), targets v1 and, when `snapshot_key` is given, snapshot v1. The
  // files made are in `created` (for the local cache); the first publish uploads root and
  // re-signs targets (and snapshot), like notary.
  static RepoEditor initialize(std::string gun, const InitKeys& keys, const PrivateKey& targets_key,
                               const PrivateKey* snapshot_key, TimePoint now,
                               std::vector<RepoFile>* created);
  // A repository initialized locally but never published: its cached root, targets and snapshot.
  static RepoEditor from_unpublished(std::string gun, Root root, Targets targets,
                                     std::optional<Snapshot> snapshot);

  const std::string& gun() const { return gun_; }
  const Root& root() const { return root_; }
  bool initial_publish() const { return initial_; }

  // True when the role is loaded or declared by a loaded parent.
  bool has_role(const std::string& role) const;
  // True when changes to the role can be applied: it is loaded, or has no file yet.
  bool editable_now(const std::string& role) const;
  const EditableTargets* role(const std::string& name) const;
  // A delegation whose file failed verification only for its expiry or threshold (see
  // TrustedRepository::unverified): what a witness change would sign again.
  const Targets* unverified(const std::string& name) const;
  // Declared delegations of a loaded role.
  std::vector<DelegationRole> delegations_of(const std::string& role) const;
  RoleSigners signers(const std::string& role) const;
  // Effective (parent-restricted) paths of a role.
  std::vector<std::string> paths(const std::string& role) const;
  bool path_allowed(const std::string& role, const std::string& target) const;
  // Whether `keys` holds enough of the role's keys to sign it.
  bool can_sign(const std::string& role, KeyProvider& keys) const;

  // Applies one staged change (notary's semantics). Throws dct::Error naming the change when
  // it cannot be applied; the editor is then left partly edited and must be discarded.
  void apply(const Change& change, KeyProvider& keys);

  // Key rotation: `role` (targets, snapshot or timestamp) gets `new_key` as its only key in
  // root; keys no other role uses leave root's key list (root certificates stay, as in
  // notary). The root is re-signed by the root keys on the next sign(), and a rotated targets
  // role is re-signed with its new key.
  void rotate_base_key(const std::string& role, const PublicKey& new_key);
  // Root key rotation: `new_root` (a certificate key: ecdsa-x509 or rsa-x509) becomes the root
  // role's only key, threshold 1. The previous root keys stay in root's key list, as notary
  // keeps them, and the next sign() signs the new root with enough of the previous root keys
  // for the previous threshold as well as with enough new ones for the new threshold, so that
  // clients trusting the previous root follow the rotation. Throws dct::Error(invalid_argument)
  // for a key that is not a certificate or is the root key already.
  void rotate_root_key(const PublicKey& new_root);

  // Re-signs what changed and returns the files to upload. Throws no_signing_key when a
  // changed role cannot be signed.
  std::vector<RepoFile> sign(KeyProvider& keys, TimePoint now);
  bool snapshot_signed_locally(KeyProvider& keys) const;
  bool has_changes() const;

 private:
  RepoEditor() = default;
  EditableTargets& editable(const std::string& role);
  void ensure_loaded(const std::string& role);
  void apply_target(const Change& change, KeyProvider& keys);
  void apply_delegation(const Change& change, KeyProvider& keys);
  void apply_witness(const Change& change, KeyProvider& keys);
  void require_signable(const std::string& role, KeyProvider& keys, const std::string& why) const;
  static void prune_unused_keys(EditableTargets& parent);
  void sign_root(KeyProvider& keys, TimePoint now);

  std::string gun_;
  Root root_;
  bool root_dirty_ = false;
  std::optional<RoleSigners> previous_root_;  // the root role before a root key rotation
  bool initial_ = false;
  std::map<std::string, EditableTargets> roles_;
  std::map<std::string, Targets> unverified_;
  std::map<std::string, std::vector<std::string>> paths_;
  std::optional<Snapshot> snapshot_;
  std::set<std::string> deleted_;
};

// The snapshot/timestamp entry for a file: length, sha256 and sha512.
FileMeta file_meta_of(const std::string& bytes);

}  // namespace dct::trust
