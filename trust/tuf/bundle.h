#pragma once
// Offline trust bundles: a tar of notary's trust-dir layout,
// tuf/<GUN>/metadata/{root,timestamp,snapshot,targets,targets/<delegation>...}.json, holding the
// verified bytes of one or more repositories. The Go notary client reads it once extracted;
// BundleFetcher serves it to the Updater in place of a notary server, so a bundle is verified
// by exactly the rules a server's answers are (signatures, thresholds, hashes, expiry, rollback
// against the cache, trust pinning).
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "trust/formats/time.h"
#include "trust/tuf/remote.h"
#include "trust/tuf/root_trust.h"

namespace dct::trust {

// A bundle is never larger than this; each file in it is further capped by the Updater.
inline constexpr std::size_t kMaxBundleSize = 256u << 20;

struct BundleRepository {
  std::string gun;
  std::map<std::string, std::string> files;  // role name ("root", "targets/releases") -> bytes
};

class Bundle {
 public:
  // Throws dct::Error(malformed_metadata) for a damaged archive or an entry outside the layout.
  static Bundle parse(const std::string& archive, const std::string& source);
  std::string write(long long mtime) const;

  void add(BundleRepository repo);
  const BundleRepository* find(const std::string& gun) const;
  const std::map<std::string, BundleRepository>& repositories() const { return repos_; }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::map<std::string, BundleRepository> repos_;
};

// Serves one repository of a bundle under the names the Updater asks a server for: "root.json",
// "timestamp.json", "<role>.json", "<role>.<sha256 hex>.json" (the bytes of <role>; the Updater
// checks the hash) and "<N>.root.json" (the root, when its version is N). Everything else is
// not_found. Never touches the network.
class BundleFetcher final : public MetadataFetcher {
 public:
  explicit BundleFetcher(const BundleRepository& repo) : repo_(repo) {}
  FetchResult fetch(const FetchRequest& request) override;

 private:
  const BundleRepository& repo_;
};

// Verifies every file of a bundled repository on its own, as a cold update would: the root
// (from `trusted_root`, the trust dir's, when there is one, and with trust pinning), timestamp,
// snapshot, targets and every delegation. A warm update reads only the timestamp when its
// version is unchanged; this makes sure a bundle with a damaged file is refused all the same.
// Throws the security error of the first failure, including a failed delegation.
void verify_bundle_repository(const BundleRepository& files,
                              const std::optional<std::string>& trusted_root, const Clock& clock,
                              const TrustPinning& pinning);

}  // namespace dct::trust
