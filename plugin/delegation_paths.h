#pragma once
// Removing paths from a delegation role (`delegation remove --paths/--all-paths`, notary's
// `--paths`): what goes, what the role keeps, and which of its tags stop being trusted.
#include <string>
#include <vector>

#include "trust/publish/changelist.h"
#include "trust/publish/repo_editor.h"

namespace dct::plugin {

struct PathRemoval {
  std::vector<std::string> removed;    // declared paths that go
  std::vector<std::string> remaining;  // declared paths the role keeps
  std::vector<std::string> orphaned;   // tags it signs that no remaining path allows
  bool leaves_nothing = false;         // the role could sign no tag afterwards
  trust::Change change;                // notary's "update" delegation change
};

// Plans removing `paths` (or all of them) from `role`, and `remove_key_ids` with them (notary
// stages keys and paths in one update). Throws invalid_argument naming the role's paths when a
// path is not one of them.
PathRemoval plan_path_removal(const trust::RepoEditor& editor, const std::string& role,
                              const std::vector<std::string>& paths, bool all_paths,
                              const std::vector<std::string>& remove_key_ids);

// "\"\" <all paths>" for the empty prefix, the path otherwise.
std::string shown_path(const std::string& path);

// The question asked before staging, listing what goes and what it costs.
std::string path_removal_question(const PathRemoval& plan, const std::string& role,
                                  const std::string& gun);

}  // namespace dct::plugin
