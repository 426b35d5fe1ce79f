#include "plugin/delegation_purge.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>

#include "base/errors.h"
#include "trust/crypto/delegation_keys.h"

namespace dct::plugin {

bool PurgePlan::changes_anything() const {
  return std::any_of(roles.begin(), roles.end(), [](const PurgedRole& r) { return r.editable; });
}

namespace {

// Every declared delegation, parents first, with its keys as (metadata ID, owner).
struct DeclaredRole {
  std::string name;
  std::string parent;
  int threshold = 1;
  std::vector<std::pair<std::string, trust::KeyOwner>> keys;
};

std::vector<DeclaredRole> declared_roles(const trust::RepoEditor& editor) {
  std::vector<DeclaredRole> out;
  std::deque<std::string> todo{"targets"};
  while (!todo.empty()) {
    const std::string parent = todo.front();
    todo.pop_front();
    const trust::EditableTargets* t = editor.role(parent);
    if (!t) continue;
    for (const auto& d : t->delegations) {
      DeclaredRole r{d.name, parent, d.threshold, {}};
      for (const auto& id : d.keyids)
        if (auto k = t->keys.find(id); k != t->keys.end())
          r.keys.emplace_back(id, trust::key_owner(k->second));
      out.push_back(std::move(r));
      todo.push_back(d.name);
    }
  }
  return out;
}

}  // namespace

PurgePlan plan_purge(const trust::RepoEditor& editor, const std::string& wanted,
                     trust::KeyProvider& keys) {
  const auto roles = declared_roles(editor);
  std::vector<trust::KeyOwner> owners;
  std::string by_metadata_id;
  for (const auto& r : roles)
    for (const auto& [id, owner] : r.keys) {
      if (id == wanted) by_metadata_id = owner.canonical_id;
      if (std::none_of(owners.begin(), owners.end(), [&](const trust::KeyOwner& o) {
            return o.canonical_id == owner.canonical_id;
          }))
        owners.push_back(owner);
    }
  PurgePlan plan;
  plan.key_id = !by_metadata_id.empty()
                    ? by_metadata_id
                    : trust::match_key(wanted, owners, "any delegation of " + editor.gun());
  for (const auto& o : owners)
    if (o.canonical_id == plan.key_id) plan.signer = o.common_name;
  for (const auto& r : roles) {
    const auto held = std::count_if(r.keys.begin(), r.keys.end(), [&](const auto& k) {
      return k.second.canonical_id == plan.key_id;
    });
    if (held == 0) continue;
    PurgedRole p;
    p.role = r.name;
    p.parent = r.parent;
    p.threshold = r.threshold;
    p.keys_before = r.keys.size();
    p.keys_left = r.keys.size() - static_cast<std::size_t>(held);
    p.editable = editor.can_sign(r.parent, keys);
    if (const trust::EditableTargets* t = editor.role(r.name))
      for (const auto& [tag, meta] : t->targets) p.tags.push_back(tag);
    plan.roles.push_back(std::move(p));
  }
  std::sort(plan.roles.begin(), plan.roles.end(),
            [](const PurgedRole& a, const PurgedRole& b) { return a.role < b.role; });
  plan.change.action = "update";
  plan.change.role = "targets/*";
  plan.change.type = "delegation";
  plan.change.data = nlohmann::json{{"remove_keys", {plan.key_id}}}.dump();
  return plan;
}

std::string purge_effects(const PurgePlan& plan, const std::string& gun) {
  std::string q;
  for (const auto& r : plan.roles) {
    if (!r.editable) continue;
    q += fmt::format("\n  {}: {} of {} keys left (threshold {})", r.role, r.keys_left,
                     r.keys_before, r.threshold);
    if (r.tags.empty()) {
      q += ", signs no tags";
      continue;
    }
    if (r.loses_trust())
      q += "; it can no longer be signed, so these tags lose trust through it:";
    else
      q += fmt::format(
          "; if only this key signed it, run `docker dct witness {} {}` after publishing to "
          "keep these tags trusted:",
          gun, r.role);
    for (const auto& tag : r.tags) q += "\n      " + tag;
  }
  return q;
}

std::string purge_question(const PurgePlan& plan, const std::string& gun) {
  return fmt::format("Remove key {}{} from every delegation of {}?{}", plan.key_id,
                     plan.signer.empty() ? "" : " (" + plan.signer + ")", gun,
                     purge_effects(plan, gun));
}

}  // namespace dct::plugin
