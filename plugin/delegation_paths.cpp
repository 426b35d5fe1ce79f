#include "plugin/delegation_paths.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/errors.h"

namespace dct::plugin {

std::string shown_path(const std::string& path) { return path.empty() ? "\"\" <all paths>" : path; }

namespace {

std::string joined_paths(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) out += (out.empty() ? "" : ", ") + shown_path(p);
  return out.empty() ? "none" : out;
}

bool allowed_by(const std::vector<std::string>& prefixes, const std::string& tag) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return tag.compare(0, p.size(), p) == 0; });
}

}  // namespace

PathRemoval plan_path_removal(const trust::RepoEditor& editor, const std::string& role,
                              const std::vector<std::string>& paths, bool all_paths,
                              const std::vector<std::string>& remove_key_ids) {
  std::vector<std::string> declared;
  for (const auto& d : editor.delegations_of(trust::parent_role(role)))
    if (d.name == role) declared = d.paths;
  PathRemoval plan;
  for (const auto& p : paths) {
    if (std::find(declared.begin(), declared.end(), p) == declared.end())
      throw Error(
          ErrorCode::invalid_argument,
          fmt::format("{} has no path \"{}\" (its paths: {})", role, p, joined_paths(declared)),
          "give paths exactly as `docker dct delegation list` shows them");
    if (std::find(plan.removed.begin(), plan.removed.end(), p) == plan.removed.end())
      plan.removed.push_back(p);
  }
  if (all_paths) plan.removed = declared;
  for (const auto& p : declared)
    if (std::find(plan.removed.begin(), plan.removed.end(), p) == plan.removed.end())
      plan.remaining.push_back(p);
  plan.leaves_nothing = plan.remaining.empty();
  if (const trust::EditableTargets* t = editor.role(role))
    for (const auto& [tag, meta] : t->targets)
      if (!allowed_by(plan.remaining, tag)) plan.orphaned.push_back(tag);

  nlohmann::json data = nlohmann::json::object();
  if (!remove_key_ids.empty()) data["remove_keys"] = remove_key_ids;
  if (all_paths)
    data["clear_paths"] = true;
  else
    data["remove_paths"] = plan.removed;
  plan.change.action = "update";
  plan.change.role = role;
  plan.change.type = "delegation";
  plan.change.data = data.dump();
  return plan;
}

std::string path_removal_question(const PathRemoval& plan, const std::string& role,
                                  const std::string& gun) {
  std::string q = fmt::format("Remove paths [{}] from {} of {}? It keeps: {}.",
                              joined_paths(plan.removed), role, gun, joined_paths(plan.remaining));
  if (plan.leaves_nothing)
    q += fmt::format("\n{} is left with no paths: it can sign no tag until paths are added again.",
                     role);
  if (!plan.orphaned.empty()) {
    q += fmt::format("\nTags signed in {} that stop being trusted through it:", role);
    for (const auto& tag : plan.orphaned) q += "\n  " + tag;
  }
  return q;
}

}  // namespace dct::plugin
