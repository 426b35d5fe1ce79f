#include "trust/publish/mirror.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "base/errors.h"
#include "trust/crypto/keys.h"
#include "trust/crypto/signer.h"
#include "trust/tuf/checks.h"

namespace dct::trust {
namespace mirror_detail {

std::string id_list(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

std::vector<std::string> sorted_ids(const RoleKeys& role) {
  std::vector<std::string> ids = role.keyids;
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool same_role(const Root& a, const Root& b, const std::string& role) {
  return sorted_ids(a.role(role)) == sorted_ids(b.role(role)) &&
         a.role(role).threshold == b.role(role).threshold;
}

// Held keys of a role, counted against its threshold.
bool can_sign(const RoleSigners& signers, KeyProvider& keys) {
  int held = 0;
  std::set<std::string> seen;
  for (const auto& [id, pub] : signers.keys) {
    const std::string canonical = canonical_key_id(pub);
    if (seen.insert(canonical).second && keys.has(canonical)) ++held;
  }
  return held > 0 && held >= signers.threshold;
}

// A delegation that failed verification is never carried, and carrying the rest without it
// would change what clients of the new server trust: the whole repository is refused.
void refuse_failed_roles(const TrustedRepository& source) {
  if (source.failed.empty()) return;
  const auto& [role, error] = *source.failed.begin();
  // An expired or under-signed delegation is the owner's to renew; anything else is the
  // server's doing.
  const bool resignable = error.code() == ErrorCode::expired ||
                          error.code() == ErrorCode::threshold_not_met ||
                          error.code() == ErrorCode::signature_invalid;
  throw Error(error.code(),
              fmt::format("{} of {} failed verification, so {} is not mirrored: {}", role,
                          source.gun, source.gun, error.what()),
              resignable ? fmt::format("nothing was published; have a holder of the {} keys "
                                       "sign it again (`docker dct witness`), or remove the "
                                       "delegation, then mirror again",
                                       role)
                         : "nothing was published: the notary server serves other trust data "
                           "than it signed for, which may be an attack");
}

// The source's snapshot is signed here (its key is held) or by its server; a snapshot key
// held by neither is named.
bool snapshot_signed_here(const TrustedRepository& source, const RoleSigners& snapshot,
                          KeyProvider& keys, const MirrorOptions& options) {
  if (can_sign(snapshot, keys)) return true;
  const auto& listed = source.root.role("snapshot").keyids;
  if (options.source_snapshot_key) {
    const PublicKey server = options.source_snapshot_key();
    if (std::find(listed.begin(), listed.end(), server.id()) != listed.end()) return false;
  }
  throw Error(ErrorCode::no_signing_key,
              fmt::format("the snapshot of {} is signed with the key {}, which is neither in "
                          "this trust dir nor held by its notary server",
                          source.gun, id_list(snapshot.canonical_ids())),
              "import the snapshot key with `docker dct key import`, then mirror again");
}

void require_root_key(const TrustedRepository& source, const RoleSigners& root, KeyProvider& keys) {
  if (can_sign(root, keys)) return;
  throw Error(
      ErrorCode::no_signing_key,
      fmt::format("mirroring {} needs its root key {} to sign a new root for the new server's "
                  "keys, and this trust dir does not hold it{}",
                  source.gun, id_list(root.canonical_ids()),
                  root.threshold > 1 ? fmt::format(" ({} of them)", root.threshold) : ""),
      "import it with `docker dct key import FILE` (a key exported with `docker dct key "
      "export`), or mirror where the root key is held; nothing was published");
}

// The targets roles carried: targets first, then the delegations by name.
std::vector<const Targets*> carried_roles(const TrustedRepository& source) {
  std::vector<const Targets*> out;
  out.push_back(&source.roles.at("targets"));
  for (const auto& [name, t] : source.roles)
    if (name != "targets") out.push_back(&t);
  return out;
}

std::string sign_snapshot(const std::string& root_bytes, const std::vector<RepoFile>& roles,
                          long long version, const RoleSigners& signers, KeyProvider& keys,
                          TimePoint now) {
  nlohmann::json meta = nlohmann::json::object();
  meta["root"] = file_meta_of(root_bytes).to_json();
  for (const auto& f : roles) meta[f.role] = file_meta_of(f.bytes).to_json();
  const nlohmann::json snapshot = {{"_type", "Snapshot"},
                                   {"expires", format_rfc3339_nano(now + kSnapshotExpiry)},
                                   {"meta", std::move(meta)},
                                   {"version", version}};
  std::vector<SigningKey> signing;
  std::set<std::string> seen;
  for (const auto& [id, pub] : signers.keys) {
    const std::string canonical = canonical_key_id(pub);
    if (keys.has(canonical) && seen.insert(canonical).second)
      signing.push_back({id, &keys.get(canonical, "snapshot")});
  }
  return sign_metadata(snapshot, signing);
}

std::optional<std::string> fetch_current(MetadataFetcher& reads, const std::string& role,
                                         const std::string& gun) {
  FetchResult r = reads.fetch({role + ".json", kMaxUnknownSize});
  if (r.status == FetchResult::Status::not_found) return std::nullopt;
  if (!r.ok()) throw_fetch_error(r, role + ".json on the destination server", gun);
  return std::move(r.body);
}

// The destination has no trust data for the repository: a new root with its keys, every
// targets role, and the snapshot when it is signed here.
MirrorReport mirror_fresh(const TrustedRepository& source, MirrorDestination destination,
                          KeyProvider& keys, const MirrorOptions& options, bool snapshot_here) {
  RepoEditor editor(source.gun, source);
  const RoleSigners root_signers = editor.signers("root");
  const RoleSigners snapshot_signers = editor.signers("snapshot");

  MirrorReport report;
  report.gun = source.gun;
  report.root_version = source.root.file.version + 1;
  report.snapshot_by_server = !snapshot_here;
  if (snapshot_here) report.snapshot_version = source.snapshot.file.version + 1;
  for (const auto& id : root_signers.canonical_ids())
    report.root_keys.push_back({"root", id, "kept"});
  for (const auto& id : editor.signers("targets").canonical_ids())
    report.root_keys.push_back({"targets", id, "kept"});
  report.files.push_back("root");
  std::vector<RepoFile> roles;
  for (const Targets* t : carried_roles(source)) {
    report.carried.push_back({t->role_name, t->file.version});
    report.files.push_back(t->role_name);
    roles.push_back({t->role_name, t->file.raw});
  }
  if (snapshot_here) report.files.push_back("snapshot");

  std::optional<PublicKey> timestamp_key, snapshot_key;
  if (!options.dry_run) {
    timestamp_key = destination.writes.server_key("timestamp");
    if (!snapshot_here) snapshot_key = destination.writes.server_key("snapshot");
  }
  if (snapshot_here)
    for (const auto& id : snapshot_signers.canonical_ids())
      report.root_keys.push_back({"snapshot", id, "kept"});
  else
    report.root_keys.push_back(
        {"snapshot", snapshot_key ? canonical_key_id(*snapshot_key) : "", "new server"});
  report.root_keys.push_back(
      {"timestamp", timestamp_key ? canonical_key_id(*timestamp_key) : "", "new server"});
  if (options.dry_run) {
    report.status = MirrorReport::Status::would_publish;
    return report;
  }

  editor.rotate_base_key("timestamp", *timestamp_key);
  if (snapshot_key) editor.rotate_base_key("snapshot", *snapshot_key);
  std::vector<RepoFile> signed_files = editor.sign(keys, options.now);
  const auto root = std::find_if(signed_files.begin(), signed_files.end(),
                                 [](const RepoFile& f) { return f.role == "root"; });
  if (root == signed_files.end()) throw Error(ErrorCode::internal, "the new root was not signed");
  std::vector<RepoFile> upload{*root};
  upload.insert(upload.end(), roles.begin(), roles.end());
  if (snapshot_here)
    upload.push_back({"snapshot", sign_snapshot(root->bytes, roles, report.snapshot_version,
                                                snapshot_signers, keys, options.now)});
  destination.writes.publish(upload);
  report.status = MirrorReport::Status::published;
  return report;
}

// The destination holds the repository already: under the same root and targets keys and
// with its own server keys in the root, only the targets roles that differ are carried.
MirrorReport mirror_update(const TrustedRepository& source, MirrorDestination destination,
                           KeyProvider& keys, const MirrorOptions& options,
                           const std::string& root_bytes) {
  const std::string& gun = source.gun;
  const Root there = Root::parse(SignedFile::parse(root_bytes, "root on the destination server"));
  auto conflict = [&](const std::string& why) {
    return Error(ErrorCode::publish_conflict,
                 fmt::format("the destination server already holds trust data for {} that is "
                             "not a mirror of it: {}",
                             gun, why),
                 "nothing was published; delete the repository there (`notary delete GUN "
                 "--remote -s URL`) and mirror again");
  };
  if (!same_role(there, source.root, "root") || !same_role(there, source.root, "targets"))
    throw conflict(
        fmt::format("its root (version {}) lists other root or targets keys", there.file.version));
  verify_signatures(there.file, there.keys, there.role("root"), "root on the destination server");
  const PublicKey timestamp_key = destination.writes.server_key("timestamp");
  const auto& ts_ids = there.role("timestamp").keyids;
  if (ts_ids.size() != 1 || ts_ids.front() != timestamp_key.id())
    throw conflict("its root does not list the server's timestamp key");
  // The snapshot stays signed as the destination's root says: with the source's key (here),
  // or with the destination server's own.
  const bool snapshot_here = same_role(there, source.root, "snapshot");
  if (!snapshot_here &&
      there.role("snapshot").keyids !=
          std::vector<std::string>{destination.writes.server_key("snapshot").id()})
    throw conflict("its root lists another snapshot key");

  MirrorReport report;
  report.gun = gun;
  report.snapshot_by_server = !snapshot_here;
  std::vector<RepoFile> roles, all_roles;
  for (const Targets* t : carried_roles(source)) {
    all_roles.push_back({t->role_name, t->file.raw});
    const auto current = fetch_current(destination.reads, t->role_name, gun);
    if (current && *current == t->file.raw) continue;
    if (current) {
      const SignedFile held = SignedFile::parse(*current, t->role_name + " on the destination");
      if (held.version >= t->file.version)
        throw conflict(fmt::format("it holds version {} of {}, and the verified source {}",
                                   held.version, t->role_name, t->file.version));
    }
    roles.push_back({t->role_name, t->file.raw});
    report.carried.push_back({t->role_name, t->file.version});
    report.files.push_back(t->role_name);
  }
  if (roles.empty()) return report;  // up to date

  std::optional<std::string> snapshot;
  if (snapshot_here) {
    const RoleSigners signers = RepoEditor(gun, source).signers("snapshot");
    if (!can_sign(signers, keys))
      throw Error(ErrorCode::no_signing_key,
                  fmt::format("the snapshot of {} is signed with the key {}, which is not in this "
                              "trust dir; it is needed to publish the changes to the destination",
                              gun, id_list(signers.canonical_ids())),
                  "import the snapshot key with `docker dct key import`, then mirror again");
    long long version = source.snapshot.file.version;
    if (const auto held = fetch_current(destination.reads, "snapshot", gun))
      version = std::max(version, SignedFile::parse(*held, "snapshot on the destination").version);
    report.snapshot_version = version + 1;
    report.files.push_back("snapshot");
    if (!options.dry_run)
      snapshot =
          sign_snapshot(root_bytes, all_roles, report.snapshot_version, signers, keys, options.now);
  }
  if (options.dry_run) {
    report.status = MirrorReport::Status::would_publish;
    return report;
  }
  if (snapshot) roles.push_back({"snapshot", *snapshot});
  destination.writes.publish(roles);
  report.status = MirrorReport::Status::published;
  return report;
}

}  // namespace mirror_detail

MirrorReport mirror_repository(const TrustedRepository& source, MirrorDestination destination,
                               KeyProvider& keys, const MirrorOptions& options) {
  mirror_detail::refuse_failed_roles(source);
  if (!source.roles.count("targets"))
    throw Error(ErrorCode::internal, "the targets role of the source was not loaded");
  const RepoEditor editor(source.gun, source);
  const FetchResult root = destination.reads.fetch({"root.json", kMaxRootSize});
  const bool fresh = root.status == FetchResult::Status::not_found;
  if (!fresh && !root.ok())
    throw_fetch_error(root, "root.json on the destination server", source.gun);
  if (!fresh) return mirror_detail::mirror_update(source, destination, keys, options, root.body);
  // A server without the repository needs a new root: its key is asked for first.
  mirror_detail::require_root_key(source, editor.signers("root"), keys);
  const bool snapshot_here =
      mirror_detail::snapshot_signed_here(source, editor.signers("snapshot"), keys, options);
  return mirror_detail::mirror_fresh(source, destination, keys, options, snapshot_here);
}

}  // namespace dct::trust
