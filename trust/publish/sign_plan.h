#pragma once
// What signing a tag decides before anything is pushed or published: the repository's trust
// data opened for edit (initialized when new) with targets/releases and the requested roles
// loaded, the roles the tag goes into (signing_roles.h), and their keys (and a locally held
// snapshot key) unlocked, so that a wrong passphrase shows up now.
#include <optional>
#include <string>
#include <vector>

#include "trust/publish/publish_service.h"
#include "trust/publish/signing_roles.h"

namespace dct::trust {

struct SigningPlan {
  RoleChoice choice;            // the roles, and warnings (the opened data's included)
  bool new_repository = false;  // initialized in this run, or earlier and never published
  OpenedRepository opened;      // the verified trust data the choice was made on
};

// How a signing plan opens the repository (open_for_edit), initializing a new one when asked.
EditOptions signing_edit(const std::vector<std::string>& requested_roles,
                         bool server_managed_snapshot, bool init_if_missing);

// `opened`: the repository as open_for_edit(signing_edit(...)) returned it earlier in this run
// (while the manifest was fetched, for instance); nullopt opens it here.
SigningPlan plan_signing(PublishService& service, SigningKeys& keys, const std::string& tag,
                         const std::vector<std::string>& requested_roles,
                         bool server_managed_snapshot,
                         std::optional<OpenedRepository> opened = std::nullopt);

}  // namespace dct::trust
