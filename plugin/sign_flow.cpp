#include "plugin/sign_flow.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/encoding.h"
#include "base/errors.h"

namespace dct::plugin {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "none" : out;
}

// The keys here that could matter for `gun`: its own keys and keys bound to no repository
// (delegation and root keys). A shared trust dir can hold hundreds, so the list is capped.
std::vector<std::string> local_key_ids(SigningKeys& keys, const std::string& gun) {
  constexpr std::size_t kShown = 8;
  std::vector<std::string> out;
  std::size_t more = 0;
  for (const auto& k : keys.list()) {
    if (!k.gun.empty() && k.gun != gun) continue;
    if (k.role == "root") continue;
    if (out.size() == kShown) {
      ++more;
      continue;
    }
    out.push_back(k.role.empty() ? k.id : fmt::format("{} ({})", k.id, k.role));
  }
  if (more) out.push_back(fmt::format("and {} more (`docker dct key list`)", more));
  return out;
}

// Loads the key(s) a role will be signed with now, so that a wrong or missing passphrase shows
// up before anything is pushed or published.
void unlock(const trust::RepoEditor& editor, SigningKeys& keys, const std::string& role) {
  for (const auto& id : editor.signers(role).canonical_ids())
    if (keys.has(id)) {
      keys.get(id, role);
      return;
    }
}

}  // namespace

RoleChoice choose_roles(const trust::RepoEditor& editor, SigningKeys& keys, const std::string& tag,
                        const std::vector<std::string>& requested) {
  RoleChoice out;
  const std::string gun = editor.gun();
  if (!requested.empty()) {
    for (const auto& role : requested) {
      if (role != "targets" && !trust::is_valid_delegation_name(role))
        throw Error(ErrorCode::invalid_role_name,
                    fmt::format("\"{}\" is not a targets role name", role),
                    "use targets, or a delegation such as targets/releases");
      if (!editor.has_role(role))
        throw Error(ErrorCode::invalid_role_name,
                    fmt::format("role {} does not exist in {}", role, gun),
                    fmt::format("`docker dct delegation list {}` shows the roles", gun));
      if (!editor.path_allowed(role, tag))
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("role {} of {} may not sign the tag \"{}\" (its paths do not "
                                "allow it)",
                                role, gun, tag));
      if (!editor.can_sign(role, keys))
        throw Error(ErrorCode::no_signing_key,
                    fmt::format("none of the keys of {} ({}) is in this trust dir", role,
                                join(editor.signers(role).canonical_ids())),
                    fmt::format("keys held here: {}", join(local_key_ids(keys, gun))));
      if (role != "targets" && role != kReleasesRole)
        out.warnings.push_back(fmt::format(
            "signing into {}: `docker dct pull` and Docker's content trust only trust tags "
            "signed in targets/releases or targets, so pulls will not see this signature",
            role));
      out.roles.push_back(role);
    }
    return out;
  }

  if (editor.has_role(kReleasesRole)) {
    if (!editor.can_sign(kReleasesRole, keys))
      throw Error(
          ErrorCode::no_signing_key,
          fmt::format("{} has a targets/releases delegation, so tags must be signed there, but "
                      "none of its keys is in this trust dir; nothing was signed\n"
                      "  keys of targets/releases: {}\n  keys held here:            {}",
                      gun, join(editor.signers(kReleasesRole).canonical_ids()),
                      join(local_key_ids(keys, gun))),
          fmt::format("ask the repository owner to add your key (`docker dct delegation add {} "
                      "targets/releases YOU.crt`), then import its private key with "
                      "`docker dct key import YOU.key --role user`",
                      gun));
    if (!editor.path_allowed(kReleasesRole, tag))
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("targets/releases of {} may not sign the tag \"{}\" (its paths do "
                              "not allow it)",
                              gun, tag));
    out.roles.push_back(kReleasesRole);
  } else {
    if (!editor.can_sign("targets", keys))
      throw Error(ErrorCode::no_signing_key,
                  fmt::format("the targets key of {} ({}) is not in this trust dir, and the "
                              "repository has no targets/releases delegation; nothing was signed",
                              gun, join(editor.signers("targets").canonical_ids())),
                  "sign with the trust dir that holds the repository's keys (--trust-dir), or "
                  "ask the owner to add a targets/releases delegation for your key");
    out.roles.push_back("targets");
  }
  // The signer's own role, as `docker trust sign` adds it.
  if (const auto* targets = editor.role("targets")) {
    for (const auto& d : targets->delegations) {
      if (d.name == kReleasesRole) continue;
      if (editor.can_sign(d.name, keys) && editor.path_allowed(d.name, tag))
        out.roles.push_back(d.name);
    }
  }
  return out;
}

trust::Change target_change(const std::string& role, const std::string& tag,
                            const registry::Manifest& manifest) {
  trust::Change c;
  c.action = "create";
  c.role = role;
  c.type = "target";
  c.path = tag;
  // Go's field order for a target's FileMeta, with the one hash Docker records.
  c.data = fmt::format(R"({{"length":{},"hashes":{{"sha256":"{}"}}}})", manifest.length,
                       base64_encode(manifest.sha256));
  return c;
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

SignPlan prepare_sign(RepositoryClient& client, SigningKeys& keys, const SignOptions& options) {
  SignPlan plan;
  plan.ref = client.reference();
  check_sign_reference(plan.ref);
  EditOptions edit;
  edit.init_if_missing = true;
  edit.server_managed_snapshot = options.server_managed_snapshot;
  edit.roles = {kReleasesRole};
  for (const auto& r : options.roles) edit.roles.push_back(r);
  OpenedRepository opened = open_for_edit(client, keys, edit);
  plan.new_repository = opened.created || opened.unpublished;
  plan.choice = choose_roles(opened.editor, keys, plan.ref.tag, options.roles);
  for (const auto& w : opened.warnings) plan.choice.warnings.push_back(w);
  for (const auto& role : plan.choice.roles) unlock(opened.editor, keys, role);
  if (opened.editor.snapshot_signed_locally(keys)) unlock(opened.editor, keys, "snapshot");
  plan.opened = std::move(opened);
  return plan;
}

PublishReport sign_and_publish(RepositoryClient& client, SigningKeys& keys, SignPlan& plan,
                               const registry::Manifest& manifest, const SignOptions& options,
                               const Progress& progress) {
  auto changelist = trust::Changelist::for_repository(client.trust_dir(), client.gun());
  if (const auto staged = changelist.list().size())
    progress(fmt::format("Also publishing {} change{} staged earlier (`docker dct status {}`)",
                         staged, staged == 1 ? "" : "s", client.gun()));
  for (const auto& role : plan.choice.roles)
    changelist.add(target_change(role, plan.ref.tag, manifest));
  EditOptions edit;
  edit.server_managed_snapshot = options.server_managed_snapshot;
  edit.roles = plan.choice.roles;
  std::optional<OpenedRepository> opened = std::move(plan.opened);
  plan.opened.reset();
  return publish_changes(client, keys, edit, progress, std::move(opened));
}

}  // namespace dct::plugin
