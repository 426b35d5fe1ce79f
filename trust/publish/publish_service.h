#pragma once
// Turning staged changes into published trust data: open the repository's verified trust data
// for editing (or initialize a new repository), apply the changelist, sign, upload in one
// request, and clear the changelist only once the server accepted everything. A publish refused
// because someone else published meanwhile is re-done once on fresh data. Messages and prompts
// are the caller's: progress is reported as events, passphrases come through SigningKeys.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "trust/publish/changelist.h"
#include "trust/publish/publish_remote.h"
#include "trust/publish/repo_editor.h"
#include "trust/publish/signing_keys.h"
#include "trust/tuf/cache.h"
#include "trust/tuf/updater.h"

namespace dct::trust {

struct EditOptions {
  bool init_if_missing = false;          // initialize a repository the server does not know
  bool server_managed_snapshot = false;  // for a new repository: the server holds the snapshot key
  // For a new repository: this root key (held in the store) instead of the first one held,
  // and this certificate of it (PEM) instead of a new self-signed one.
  std::optional<std::string> root_key_id;
  std::optional<std::string> root_certificate;
  std::vector<std::string> roles;  // targets roles to load for editing
  bool all_roles = false;          // load every delegation
  // Roles to be witnessed: their verification failure is what the witness repairs.
  std::vector<std::string> witness_roles;
};

struct OpenedRepository {
  RepoEditor editor;
  bool created = false;      // initialized in this run
  bool unpublished = false;  // initialized earlier but never published
  std::vector<std::string> warnings;
};

struct PublishReport {
  std::vector<std::string> files;  // roles uploaded
  bool snapshot_by_server = false;
  bool retried_after_conflict = false;
  bool created = false;
  std::size_t changes = 0;
};

struct PublishEvent {
  enum class Kind {
    damaged_change,  // a change file that cannot be read was skipped; detail: its file name
    warning,         // the opened trust data's warning; detail: its text
    pushing,         // the upload starts
    retrying,        // the server refused the upload as stale; applying the changes again
  };
  Kind kind;
  std::string detail;
};
using PublishObserver = std::function<void(const PublishEvent&)>;

// One repository as publishing sees it: its trust dir, the verifying updater and the metadata
// cache it writes through, and the server's write operations.
struct PublishTarget {
  std::string gun;
  std::filesystem::path trust_dir;
  Updater& updater;
  StagedMetadataCache& cache;
  PublishRemote& remote;
};

class PublishService {
 public:
  PublishService(PublishTarget target, SigningKeys& keys) : target_(target), keys_(keys) {}

  // The repository's current trust data, verified, with `roles` loaded; or, when the server
  // has none: the locally initialized data, or (init_if_missing) a new repository, whose keys
  // are made and stored and whose root, targets and snapshot go to the cache as `notary init`
  // does.
  OpenedRepository open_for_edit(const EditOptions& options);

  // Applies the staged changes of the changelist, signs and publishes. On success the applied
  // change files are removed. `opened`, when given, is trust data this run has just opened and
  // verified: the first attempt uses it (its warnings were reported already) if every role the
  // changes touch is loaded in it. `own_changes` are the change files the running command has
  // just staged: when the publish fails they are taken back out, so that a failed command
  // leaves nothing staged, while changes staged earlier stay (the error says how many).
  PublishReport publish_changes(const EditOptions& options, const PublishObserver& observer,
                                std::optional<OpenedRepository> opened = std::nullopt,
                                const std::vector<std::string>& own_changes = {});

  // Publishes an edit made in memory (key rotation), without the changelist: `edit` is applied
  // to freshly opened trust data, and again on fresh data after a conflict.
  PublishReport publish_edit(const EditOptions& options,
                             const std::function<void(RepoEditor&)>& edit,
                             const PublishObserver& observer);

  const PublishTarget& target() const { return target_; }

 private:
  std::optional<OpenedRepository> open_unpublished();
  OpenedRepository initialize(const EditOptions& options);
  PublishReport publish(const EditOptions& options, const std::function<void(RepoEditor&)>* edit,
                        const PublishObserver& observer, std::optional<OpenedRepository> first,
                        bool own_changes);

  PublishTarget target_;
  SigningKeys& keys_;
};

// Roles a change list touches that must be loaded before applying it.
std::vector<std::string> roles_to_load(const std::vector<Change>& changes);

}  // namespace dct::trust
