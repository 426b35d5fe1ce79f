#pragma once
// Turning staged changes into published trust data: open the repository's verified trust data
// for editing (or initialize a new repository), apply the changelist, sign, upload in one
// request, and clear the changelist only once the server accepted everything.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "plugin/signing_keys.h"
#include "plugin/trust_client.h"
#include "trust/publish/changelist.h"
#include "trust/publish/repo_editor.h"

namespace dct::plugin {

struct EditOptions {
  bool init_if_missing = false;          // initialize a repository the server does not know
  bool server_managed_snapshot = false;  // for a new repository: the server holds the snapshot key
  std::vector<std::string> roles;        // targets roles to load for editing
  bool all_roles = false;                // load every delegation
  // Roles to be witnessed: their verification failure is what the witness repairs.
  std::vector<std::string> witness_roles;
};

struct OpenedRepository {
  trust::RepoEditor editor;
  bool created = false;      // initialized in this run
  bool unpublished = false;  // initialized earlier but never published
  std::vector<std::string> warnings;
};

// The repository's current trust data, verified, with `roles` loaded; or, when the server has
// none: the locally initialized data, or (init_if_missing) a new repository, whose keys are
// made and stored and whose root, targets and snapshot go to the cache as `notary init` does.
OpenedRepository open_for_edit(RepositoryClient& client, SigningKeys& keys,
                               const EditOptions& options);

struct PublishReport {
  std::vector<std::string> files;  // roles uploaded
  bool snapshot_by_server = false;
  bool retried_after_conflict = false;
  bool created = false;
  std::size_t changes = 0;
};

using Progress = std::function<void(const std::string&)>;

// Applies the staged changes of the changelist, signs and publishes. On success the applied
// change files are removed. A publish refused because the
// trust data moved on (someone else published) is re-done once on fresh data.
// `opened`, when given, is trust data this run has just opened and verified: the first attempt
// uses it (its warnings were shown already) if every role the changes touch is loaded in it.
PublishReport publish_changes(RepositoryClient& client, SigningKeys& keys,
                              const EditOptions& options, const Progress& progress,
                              std::optional<OpenedRepository> opened = std::nullopt);

// Publishes an edit made in memory (key rotation), without the changelist: `edit` is applied to
// freshly opened trust data, and again on fresh data after a conflict.
PublishReport publish_edit(RepositoryClient& client, SigningKeys& keys, const EditOptions& options,
                           const std::function<void(trust::RepoEditor&)>& edit,
                           const Progress& progress);

// Roles a change list touches that must be loaded before applying it.
std::vector<std::string> roles_to_load(const std::vector<trust::Change>& changes);

}  // namespace dct::plugin
