#include "trust/publish/sign_plan.h"

namespace dct::trust {

EditOptions signing_edit(const std::vector<std::string>& requested_roles,
                         bool server_managed_snapshot, bool init_if_missing) {
  EditOptions edit;
  edit.init_if_missing = init_if_missing;
  edit.server_managed_snapshot = server_managed_snapshot;
  edit.roles = {kReleasesRole};
  for (const auto& r : requested_roles) edit.roles.push_back(r);
  return edit;
}

SigningPlan plan_signing(PublishService& service, SigningKeys& keys, const std::string& tag,
                         const std::vector<std::string>& requested_roles,
                         bool server_managed_snapshot, std::optional<OpenedRepository> early) {
  OpenedRepository opened =
      early ? std::move(*early)
            : service.open_for_edit(signing_edit(requested_roles, server_managed_snapshot, true));
  const bool new_repository = opened.created || opened.unpublished;
  RoleChoice choice = choose_signing_roles(opened.editor, keys, tag, requested_roles);
  for (const auto& w : opened.warnings) choice.warnings.push_back(w);
  for (const auto& role : choice.roles) unlock_signing_key(opened.editor, keys, role);
  if (opened.editor.snapshot_signed_locally(keys))
    unlock_signing_key(opened.editor, keys, "snapshot");
  return SigningPlan{std::move(choice), new_repository, std::move(opened)};
}

}  // namespace dct::trust
