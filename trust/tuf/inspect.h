#pragma once
// What `docker trust inspect` reports about a repository, computed from verified metadata:
// released tags (signed in targets or targets/releases) with the delegations that signed the
// same digest, the signers and their canonical key IDs, and the administrative keys.
#include <string>
#include <vector>

#include "trust/tuf/updater.h"

namespace dct::trust {

struct InspectTag {
  std::string tag;
  std::string digest_hex;
  std::vector<std::string> signers;  // delegation names without "targets/", or "Repo Admin"
};

struct InspectSigner {
  std::string name;
  std::vector<std::string> key_ids;  // canonical key IDs
};

struct InspectReport {
  std::vector<InspectTag> signed_tags;          // natural order of tag names
  std::vector<InspectSigner> signers;           // name descending, as docker prints them
  std::vector<std::string> root_key_ids;        // IDs in root.json's root role
  std::vector<std::string> repository_key_ids;  // IDs in root.json's targets role
};

// `repo` must have its whole delegation tree loaded (Updater::load_all). Empty tag = all tags.
InspectReport inspect_repository(const TrustedRepository& repo, const std::string& tag);

// Docker's natural sort order (digit runs compare by value).
bool natural_less(const std::string& a, const std::string& b);

}  // namespace dct::trust
