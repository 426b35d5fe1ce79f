#pragma once
// Mirroring a repository's verified trust data to another notary server, so that clients
// pointed at it trust the same tags by the same signatures: targets and every delegation are
// carried byte for byte (their keys do not change, so their signatures stay valid); the root
// gets the new server's timestamp key (and its snapshot key when the server signs snapshots)
// in a new version signed by the owner's root key; a snapshot signed here is signed again over
// exactly the files carried. Nothing that did not verify is ever carried. No I/O here: the
// destination server and the keys are injected.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "trust/formats/public_key.h"
#include "trust/formats/time.h"
#include "trust/publish/publish_remote.h"
#include "trust/publish/repo_editor.h"
#include "trust/tuf/remote.h"
#include "trust/tuf/updater.h"

namespace dct::trust {

// The notary server the trust data goes to, for one repository.
struct MirrorDestination {
  MetadataFetcher& reads;  // current files by name ("root.json", "targets/releases.json")
  PublishRemote& writes;   // its key endpoints and its upload
};

struct MirrorOptions {
  bool dry_run = false;  // decide and report; upload nothing and ask for no new key
  TimePoint now;
  // The snapshot key the source server holds, asked only when the snapshot key is not held
  // here: it tells a snapshot the server signs from one whose key is missing. Throws
  // dct::Error when the server cannot be asked.
  std::function<PublicKey()> source_snapshot_key;
};

struct MirrorKey {
  std::string role;    // root, targets, snapshot, timestamp
  std::string id;      // canonical key ID; empty when the new server makes it on publish
  std::string origin;  // "kept" or "new server"
};

struct MirrorRole {
  std::string role;
  long long version = 0;
};

struct MirrorReport {
  enum class Status { published, would_publish, up_to_date };
  std::string gun;
  Status status = Status::up_to_date;
  long long root_version = 0;        // the root version written; 0 when the root is kept
  std::vector<MirrorKey> root_keys;  // the keys the new root lists, when one is written
  std::vector<MirrorRole> carried;   // targets roles uploaded byte for byte
  bool snapshot_by_server = false;   // the destination server signs the snapshot
  long long snapshot_version = 0;    // the snapshot version signed here; 0 when none
  std::vector<std::string> files;    // the files uploaded (or that would be)
};

// Mirrors `source`, verified trust data with every delegation loaded (Updater::load_all), to
// `destination`. Throws before anything is uploaded: the first security error of a delegation
// that failed verification; no_signing_key naming the key needed when a new root must be
// written without the root key here, or a snapshot signed here without its key; publish_conflict
// when the destination holds the repository under other keys or holds newer versions.
MirrorReport mirror_repository(const TrustedRepository& source, MirrorDestination destination,
                               KeyProvider& keys, const MirrorOptions& options);

}  // namespace dct::trust
