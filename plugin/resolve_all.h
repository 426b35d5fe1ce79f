#pragma once
// Every tag of a repository that the pull rule trusts (targets/releases, else targets), as
// Docker 28's `docker pull --all-tags` with content trust pulled them.
#include <string>
#include <vector>

#include "plugin/resolve_flow.h"

namespace dct::plugin {

struct AllTags {
  std::vector<Resolution> tags;       // sorted by tag
  std::vector<std::string> warnings;  // including tags left out and why
};

// Throws dct::Error: invalid_argument when `image` names a tag or digest, tag_not_found when
// no tag is trusted, security errors (never skipped), network errors.
AllTags resolve_all_tags(registry::Session& session, const std::string& image,
                         const trust::Bundle* bundle = nullptr);

}  // namespace dct::plugin
