#include "trust/publish/signing_roles.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace dct::trust {

namespace {

std::string join_role_ids(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "none" : out;
}

// The keys here that could matter for `gun`: its own keys and keys bound to no repository
// (delegation and root keys). A shared trust dir can hold hundreds, so the list is capped.
// A key's role is named only while the repository still has that role.
std::vector<std::string> held_key_ids(SigningKeys& keys, const RepoEditor& editor) {
  const std::string gun = editor.gun();
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
    const bool gone = k.role.rfind("targets/", 0) == 0 && !editor.has_role(k.role);
    out.push_back(k.role.empty() || gone ? k.id : fmt::format("{} ({})", k.id, k.role));
  }
  if (more) out.push_back(fmt::format("and {} more (`docker dct key list`)", more));
  return out;
}

// A path rule blocks `role` from signing `tag`: what it allows, and the owner's command that
// lets it sign the tag.
Error path_blocked(const RepoEditor& editor, const std::string& role, const std::string& tag) {
  std::vector<std::string> declared;
  for (const auto& d : editor.delegations_of(parent_role(role)))
    if (d.name == role) declared = d.paths;
  std::vector<std::string> shown;
  for (const auto& p : declared) shown.push_back(p.empty() ? "\"\" <all paths>" : p);
  const std::string gun = editor.gun();
  const std::string parent = parent_role(role);
  return Error(
      ErrorCode::invalid_argument,
      fmt::format(
          "{} of {} may not sign the tag \"{}\": its paths ({}) do not cover it{}; "
          "nothing was signed",
          role, gun, tag, join_role_ids(shown),
          parent == "targets" ? "" : fmt::format(", or those of {} above it do not", parent)),
      fmt::format("the holder of the {} key can allow it: `docker dct delegation add -p {} {} "
                  "--paths {}` (tags starting with \"{}\") or `docker dct delegation add -p {} {} "
                  "--all-paths` (every tag)",
                  parent, gun, role, tag, tag, gun, role));
}

}  // namespace

RoleChoice choose_signing_roles(const RepoEditor& editor, SigningKeys& keys, const std::string& tag,
                                const std::vector<std::string>& requested) {
  RoleChoice out;
  const std::string gun = editor.gun();
  if (!requested.empty()) {
    for (const auto& role : requested) {
      if (role != "targets" && !is_valid_delegation_name(role))
        throw Error(ErrorCode::invalid_role_name,
                    fmt::format("\"{}\" is not a targets role name", role),
                    "use targets, or a delegation such as targets/releases");
      if (!editor.has_role(role))
        throw Error(ErrorCode::invalid_role_name,
                    fmt::format("role {} does not exist in {}", role, gun),
                    fmt::format("`docker dct delegation list {}` shows the roles", gun));
      if (role != "targets" && !editor.path_allowed(role, tag))
        throw path_blocked(editor, role, tag);
      if (!editor.can_sign(role, keys))
        throw Error(ErrorCode::no_signing_key,
                    fmt::format("none of the keys of {} ({}) is in this trust dir", role,
                                join_role_ids(editor.signers(role).canonical_ids())),
                    fmt::format("keys held here: {}", join_role_ids(held_key_ids(keys, editor))));
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
                      gun, join_role_ids(editor.signers(kReleasesRole).canonical_ids()),
                      join_role_ids(held_key_ids(keys, editor))),
          editor.can_sign("targets", keys)
              ? fmt::format("you hold the targets key of {}, which may sign any tag: `docker dct "
                            "sign --role targets {}:{}` (pulls prefer a signature in "
                            "targets/releases where it has one), or add a key of yours to "
                            "targets/releases: `docker dct signer add NAME {} --key NAME.pub`",
                            gun, gun, tag, gun)
              : fmt::format("ask the repository owner to add your key (`docker dct signer add "
                            "NAME {} --key YOU.pub`), then load its private key with "
                            "`docker dct key load YOU.key --name NAME`",
                            gun));
    if (!editor.path_allowed(kReleasesRole, tag)) throw path_blocked(editor, kReleasesRole, tag);
    out.roles.push_back(kReleasesRole);
  } else {
    if (!editor.can_sign("targets", keys))
      throw Error(ErrorCode::no_signing_key,
                  fmt::format("the targets key of {} ({}) is not in this trust dir, and the "
                              "repository has no targets/releases delegation; nothing was signed",
                              gun, join_role_ids(editor.signers("targets").canonical_ids())),
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

void unlock_signing_key(const RepoEditor& editor, SigningKeys& keys, const std::string& role) {
  for (const auto& id : editor.signers(role).canonical_ids())
    if (keys.has(id)) {
      keys.get(id, role);
      return;
    }
}

}  // namespace dct::trust
