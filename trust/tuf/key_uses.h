#pragma once
// Which repositories and roles a private key signs for, as far as the trust dir knows: the
// cached metadata of every repository below <trust_dir>/tuf (root.json for base roles,
// targets.json and targets/*.json for delegations). Read only; files that do not parse are
// skipped, since this only informs a confirmation.
#include <filesystem>
#include <string>
#include <vector>

namespace dct::trust {

struct KeyUse {
  std::string gun;
  std::string role;  // "root", "targets", "targets/releases"...
};

// Uses of the key with this canonical ID, sorted by repository then role.
std::vector<KeyUse> cached_key_uses(const std::filesystem::path& trust_dir,
                                    const std::string& canonical_id);

}  // namespace dct::trust
