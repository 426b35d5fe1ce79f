#pragma once
// The token service a registry itself uses: the realm of its /v2/ Bearer challenge. A notary
// server's token realm gets the registry's credentials when it is this one (Docker Hub,
// Harbor, the local stack). The registry owns the credentials, so its answer is trusted for
// them; a notary server's word is not. Learnt from the registry when needed and kept in a small
// file beside the repository's trust data (<trust dir>/tuf/<GUN>/dct.registry-realm.json,
// 0600, written atomically), so later runs need not ask again. The token cache's record of the
// realm the registry named in its own challenges serves the same purpose across repositories and
// trust dirs (a resolve into an empty trust dir need not ask the registry first).
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "registry/auth.h"
#include "registry/token_cache.h"

namespace dct::registry {

class RegistryRealm {
 public:
  // `registry_url` is the registry API base; `cache_file` empty keeps nothing on disk; `ping`
  // asks the registry (its Authorizer's ping()); `tokens` (may be null) is the token cache whose
  // remembered realm of the registry's own challenges counts as well.
  RegistryRealm(std::string registry_url, std::filesystem::path cache_file,
                std::function<PingResult()> ping, std::shared_ptr<TokenCache> tokens = nullptr);

  // The realm the file holds for this registry; nullopt when none, unreadable or for another.
  std::optional<std::string> cached() const;
  // The realm the token cache remembers from the registry's own challenges; nullopt when none.
  std::optional<std::string> kept() const;
  // The registry's realm now: nullopt when it is unreachable or asks for no token.
  std::optional<std::string> ask() const;
  // Keeps `realm` in the file. A file that cannot be written is no error: it is asked again.
  void remember(const std::string& realm) const;

 private:
  std::string registry_url_;
  std::filesystem::path cache_file_;
  std::function<PingResult()> ping_;
  std::shared_ptr<TokenCache> tokens_;
};

// <trust dir>/tuf/<gun>/dct.registry-realm.json
std::filesystem::path registry_realm_file(const std::filesystem::path& trust_dir,
                                          const std::string& gun);

}  // namespace dct::registry
