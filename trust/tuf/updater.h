#pragma once
// Notary's update flow, made strict: root -> timestamp -> snapshot -> targets -> delegations.
//
// Every file is checked against its parent before it is used (hash and exact length), every
// role's signatures against its keys and threshold, every role's expiry, and every version
// against the cached one (no rollback). Only verified bytes reach the cache.
//
// Speed: a warm update asks for timestamp.json alone when nothing changed. A cold one asks for
// root, timestamp, snapshot, targets and the wanted delegations by their current names all at
// once, then verifies each against its parent's hash, refetching by checksum on a mismatch.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "trust/formats/metadata.h"
#include "trust/formats/time.h"
#include "trust/tuf/cache.h"
#include "trust/tuf/checks.h"
#include "trust/tuf/remote.h"
#include "trust/tuf/root_trust.h"
#include "trust/tuf/verified_index.h"

namespace dct::trust {

struct TrustedRepository {
  std::string gun;
  Root root;
  Timestamp timestamp;
  Snapshot snapshot;
  std::map<std::string, Targets> roles;  // verified targets roles by name ("targets", ...)
  // Effective (parent-restricted) paths of each loaded role; "targets" has {""}.
  std::map<std::string, std::vector<std::string>> paths;
  // Delegations that vouch for nothing by the owner's own design, and why: declared without
  // enough keys, or never published (not in any snapshot seen). Falling back past them is safe.
  std::map<std::string, std::string> skipped;
  // Delegations whose file failed verification (signatures, threshold, expiry, hash or length):
  // nothing they list is trusted, and nothing they could sign may be taken from another role.
  std::map<std::string, Error> failed;
  // The contents of failed delegations whose file matched the snapshot's hash and parsed
  // (signatures below threshold, expired): never trusted, only offered to `witness`, which
  // shows them to a holder of the role's keys before signing them again.
  std::map<std::string, Targets> unverified;
  // Delegations the trusted snapshot (the cached one, from before this update) listed: a role
  // still delegated to must stay listed (TUF 5.5.5), or a server could hide it.
  std::set<std::string> listed_before;
  // Roles read through their verified index (UpdateOptions::indexed_tag): their targets hold
  // that one tag's entry and nothing else; their file.raw is empty.
  std::set<std::string> indexed;
  std::vector<std::string> warnings;
  bool first_use = false;  // the root was trusted for the first time in this run

  const Targets* role(const std::string& name) const;
  bool path_allowed(const std::string& role, const std::string& target) const;
  // Whether a declared delegation's paths, restricted by its parents', allow `target`, whether
  // or not its file loaded. False when no loaded parent declares it.
  bool declared_path_allowed(const std::string& role, const std::string& target) const;
  // The failure recorded for `role`, if its file failed verification.
  const Error* failure(const std::string& role) const;
};

struct UpdateOptions {
  // Delegations to fetch together with targets (e.g. "targets/releases"), when they exist.
  std::vector<std::string> eager_delegations;
  // Only to sign targets again (a witness): a snapshot and targets past their expiry are
  // loaded, signatures, hashes and versions still checked, with a warning. Nothing loaded so
  // may be used to trust a tag.
  bool renew_expired = false;
  // A lookup of this one tag: a targets role whose cached file is unchanged and lists the tag
  // is read through its verified index (see verified_index.h) instead of parsed whole.
  std::optional<std::string> indexed_tag;
};

class Updater {
 public:
  Updater(std::string gun, MetadataFetcher& remote, MetadataCache& cache, const Clock& clock,
          TrustPinning pinning = {});

  // Where verified indexes are kept; without one, none is read or written.
  void set_index_store(const VerifiedIndexStore* store) { index_ = store; }

  TrustedRepository update(const UpdateOptions& options = {});
  // Loads a delegation (and its ancestors). False when it does not exist, is not usable (see
  // TrustedRepository::skipped) or failed verification (recorded in TrustedRepository::failed).
  // Throws when a role still delegated to disappeared from the snapshot, on rollback, and on
  // network errors.
  bool load_delegation(TrustedRepository& repo, const std::string& name);
  // Loads the whole delegation tree, breadth-first, fetching each level concurrently.
  void load_all(TrustedRepository& repo);

 private:
  struct Attempt;
  TrustedRepository attempt(const UpdateOptions& options, bool after_root_refresh);
  std::optional<Root> load_cached_root(std::vector<std::string>& warnings);
  std::set<std::string> cached_listing();
  void require_still_listed(const TrustedRepository& repo, const DelegationRole& d,
                            const std::string& parent_name) const;
  Root establish_root(const FetchResult& fetched, const std::optional<Root>& trusted);
  Root walk_root_chain(const Root& trusted, Root newest);
  bool refresh_root(const Root& current);
  Timestamp verify_timestamp(const FetchResult& fetched, const Root& root);
  SignedFile obtain(const std::string& role, const FileMeta& expected, const std::string& parent);
  void prefetch_by_hash(const TrustedRepository& repo, const std::vector<std::string>& roles);
  std::optional<Targets> read_indexed(const std::string& role, const FileMeta& expected,
                                      const std::map<std::string, PublicKey>& keys,
                                      const RoleKeys& role_keys);
  void record_index(const std::string& role, const SignedFile& file, const FileMeta& expected,
                    const VerifyOutcome& verified);
  std::optional<long long> cached_version(const std::string& role, std::size_t max_size);
  void discard_cache(const std::string& role, const std::string& why);

  std::string gun_;
  MetadataFetcher& remote_;
  MetadataCache& cache_;
  const Clock& clock_;
  TrustPinning pinning_;
  std::map<std::string, FetchResult> fetched_;          // bodies fetched ahead, by role name
  std::optional<std::set<std::string>> listed_before_;  // read once per update()
  std::vector<std::string> pending_warnings_;
  const VerifiedIndexStore* index_ = nullptr;
  std::optional<std::string> indexed_tag_;  // of the running update()
  bool renewing_ = false;                   // of the running update()
};

// Turns a failed fetch into the right dct::Error (network, auth, not found, oversized).
[[noreturn]] void throw_fetch_error(const FetchResult& result, const std::string& what,
                                    const std::string& gun);

}  // namespace dct::trust
