#pragma once
// Publishing from the command line: the repository's client wired to trust::PublishService
// (trust/publish/publish_service.h, which owns opening for edit, initializing and the
// publish-with-retry loop), with its progress turned into the lines the user reads.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "plugin/signing_keys.h"
#include "plugin/trust_client.h"
#include "trust/publish/changelist.h"
#include "trust/publish/publish_service.h"
#include "trust/publish/repo_editor.h"

namespace dct::plugin {

using trust::EditOptions;
using trust::OpenedRepository;
using trust::PublishReport;
using trust::roles_to_load;

using Progress = std::function<void(const std::string&)>;

// See trust::PublishService::open_for_edit; reads and writes share one push,pull token.
OpenedRepository open_for_edit(RepositoryClient& client, SigningKeys& keys,
                               const EditOptions& options);

// See trust::PublishService::publish_changes; progress gets the lines to show. `own_changes`,
// the change files this command staged, are taken back out when the publish fails.
PublishReport publish_changes(RepositoryClient& client, SigningKeys& keys,
                              const EditOptions& options, const Progress& progress,
                              std::optional<OpenedRepository> opened = std::nullopt,
                              const std::vector<std::string>& own_changes = {});

// See trust::PublishService::publish_edit.
PublishReport publish_edit(RepositoryClient& client, SigningKeys& keys, const EditOptions& options,
                           const std::function<void(trust::RepoEditor&)>& edit,
                           const Progress& progress);

// The line a publish event reads as.
std::string publish_event_line(const trust::PublishEvent& event);

}  // namespace dct::plugin
