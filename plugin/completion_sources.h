#pragma once
// What shell completion offers from the trust dir: the repositories of the trust cache
// (<trust dir>/tuf/<gun>/metadata/), the tags and delegation roles in their cached metadata,
// and the private keys. Local files only, read as they are (nothing here is verified: it only
// suggests words), size-capped; anything unreadable or odd is skipped, never reported.
#include <filesystem>
#include <string>
#include <vector>

namespace dct::plugin {

struct CachedRepository {
  std::string gun;       // "docker.io/library/alpine", "localhost:5000/team/app"
  std::string familiar;  // "alpine", "localhost:5000/team/app": what people type
};

// Sorted by GUN.
std::vector<CachedRepository> cached_repositories(const std::filesystem::path& trust_dir);

struct CachedTag {
  std::string tag;
  std::string digest;  // "sha256:<hex>", empty when the metadata has none
  std::string role;    // the role whose cached targets hold it
};

// The tags of `gun` in the cached targets metadata, sorted; when several roles hold a tag,
// the one the trust rule reads first (targets/releases, then targets, then other delegations).
std::vector<CachedTag> cached_tags(const std::filesystem::path& trust_dir, const std::string& gun);

// The delegation roles ("targets/releases", ...) of `gun` that have cached metadata, sorted.
std::vector<std::string> cached_delegations(const std::filesystem::path& trust_dir,
                                            const std::string& gun);

}  // namespace dct::plugin
