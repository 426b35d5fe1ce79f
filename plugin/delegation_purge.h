#pragma once
// `delegation purge`: where a key signs in a repository's delegation tree, and what taking it
// out of every delegation costs (notary's PurgeDelegationKeys, staged as its "targets/*"
// change).
#include <string>
#include <vector>

#include "trust/publish/changelist.h"
#include "trust/publish/repo_editor.h"

namespace dct::plugin {

struct PurgedRole {
  std::string role;
  std::string parent;
  int threshold = 1;
  std::size_t keys_before = 0;
  std::size_t keys_left = 0;      // keys the role keeps
  bool editable = false;          // the parent's key is held here, so the purge changes it
  std::vector<std::string> tags;  // tags the role signs
  bool loses_trust() const { return keys_left < static_cast<std::size_t>(threshold); }
};

struct PurgePlan {
  std::string key_id;  // canonical ID of the key purged
  std::string signer;  // the name on its certificate, if any
  std::vector<PurgedRole> roles;
  trust::Change change;  // update of "targets/*" removing the key
  bool changes_anything() const;
};

// Finds `wanted` (a canonical or metadata key ID, a unique prefix, or a certificate name) among
// the delegation keys of every loaded role. Throws invalid_argument when it matches none or
// several.
PurgePlan plan_purge(const trust::RepoEditor& editor, const std::string& wanted,
                     trust::KeyProvider& keys);

// The roles changed, one a line, with the tags each signs and what becomes of them.
std::string purge_effects(const PurgePlan& plan, const std::string& gun);
// The question asked before staging: the key, and the roles and tags affected.
std::string purge_question(const PurgePlan& plan, const std::string& gun);

}  // namespace dct::plugin
