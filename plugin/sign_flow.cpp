#include "plugin/sign_flow.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "trust/publish/changes.h"
#include "trust/publish/sign_plan.h"

namespace dct::plugin {

RoleChoice choose_roles(const trust::RepoEditor& editor, SigningKeys& keys, const std::string& tag,
                        const std::vector<std::string>& requested) {
  return trust::choose_signing_roles(editor, keys, tag, requested);
}

trust::Change target_change(const std::string& role, const std::string& tag,
                            const registry::Manifest& manifest) {
  return trust::target_added(role, tag, manifest.length, manifest.sha256);
}

void check_sign_reference(const registry::Reference& ref) {
  if (!ref.has_tag())
    throw Error(ErrorCode::invalid_reference,
                fmt::format("\"{}\" names no tag: signatures are per tag", ref.familiar_str()),
                fmt::format("give one, e.g. {}:1.0{}", ref.familiar(),
                            ref.has_digest() ? "@" + ref.digest : ""));
  if (ref.has_digest() && ref.digest.rfind("sha256:", 0) != 0)
    throw Error(ErrorCode::invalid_reference,
                fmt::format("\"{}\" has a {} digest: Docker's signatures are for sha256 digests",
                            ref.familiar_str(), ref.digest.substr(0, ref.digest.find(':'))),
                "give the image's sha256 digest (IMAGE:TAG@sha256:...)");
}

std::optional<OpenedRepository> open_for_signing(RepositoryClient& client, SigningKeys& keys,
                                                 const SignOptions& options) {
  check_sign_reference(client.reference());
  client.remote().set_read_actions(registry::kPushPull);
  auto service = client.publishing(keys);
  try {
    return service.open_for_edit(
        trust::signing_edit(options.roles, options.server_managed_snapshot, false));
  } catch (const Error& e) {
    if (e.code() == ErrorCode::repository_not_found) return std::nullopt;
    throw;
  }
}

SignPlan prepare_sign(RepositoryClient& client, SigningKeys& keys, const SignOptions& options,
                      std::optional<OpenedRepository> opened) {
  SignPlan plan;
  plan.ref = client.reference();
  check_sign_reference(plan.ref);
  client.remote().set_read_actions(registry::kPushPull);
  auto service = client.publishing(keys);
  trust::SigningPlan signing =
      trust::plan_signing(service, keys, plan.ref.tag, options.roles,
                          options.server_managed_snapshot, std::move(opened));
  plan.new_repository = signing.new_repository;
  plan.choice = std::move(signing.choice);
  plan.opened = std::move(signing.opened);
  return plan;
}

PublishReport sign_and_publish(RepositoryClient& client, SigningKeys& keys, SignPlan& plan,
                               const registry::Manifest& manifest, const SignOptions& options,
                               const Progress& progress) {
  auto changelist = trust::Changelist::for_repository(client.trust_dir(), client.gun());
  if (const auto staged = changelist.list().size())
    progress(fmt::format("Also publishing {} change{} staged earlier (`docker dct status {}`)",
                         staged, staged == 1 ? "" : "s", client.gun()));
  std::vector<std::string> staged;
  for (const auto& role : plan.choice.roles)
    staged.push_back(changelist.add(target_change(role, plan.ref.tag, manifest)));
  EditOptions edit;
  edit.server_managed_snapshot = options.server_managed_snapshot;
  edit.roles = plan.choice.roles;
  std::optional<OpenedRepository> opened = std::move(plan.opened);
  plan.opened.reset();
  return publish_changes(client, keys, edit, progress, std::move(opened), staged);
}

}  // namespace dct::plugin
