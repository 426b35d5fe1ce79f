#pragma once
// Where a notary server's challenges may take the registry's credentials. The registry's own
// challenges keep docker's behaviour (its credentials go to the realm it names). A notary server
// is not the credentials' owner and may be hostile, so for its challenges the registry's
// credentials (password or identity token) go only
//   - to the registry's own host (a notary server on the registry's host: Azure, Harbor);
//   - to the token service the registry itself uses (see registry_realm.h): Docker Hub, whose
//     notary.docker.io names the registry's realm auth.docker.io;
//   - to a token realm the user allowed: DCT_CREDENTIAL_REALMS, or credential_realms in the
//     notary config.
// They never go as Basic auth to a notary server on another host. A host with its own entry in
// config.json (auths, credHelpers) or DOCKER_AUTH_CONFIG gets its own credentials instead. Any
// other destination is asked anonymously, and a refusal says which realm was not trusted and how
// to allow it. Hosts compare by scheme, host and port as libcurl parses them (origin.h).
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/auth.h"
#include "registry/docker_config.h"
#include "registry/notary_config.h"
#include "registry/origin.h"
#include "registry/registry_realm.h"

namespace dct::registry {

inline constexpr std::string_view kCredentialRealmsEnv = "DCT_CREDENTIAL_REALMS";

// The realms the user allowed: DCT_CREDENTIAL_REALMS (separated by commas or spaces) and the
// notary config's credential_realms, each an https URL or a host[:port]. Throws
// dct::Error(config_invalid) naming an entry that is neither.
std::vector<Origin> allowed_credential_realms(const NotaryConfig& config);

struct NotaryCredentialOptions {
  std::string registry_url;     // the registry API base ("https://registry-1.docker.io")
  std::string registry_key;     // its config.json key
  std::vector<Origin> allowed;  // allowed_credential_realms()
  std::filesystem::path notary_config_file;   // named in messages; empty: the default path
  std::function<DockerConfig()> load_config;  // read once, when credentials are first needed
};

class NotaryCredentialRouter {
 public:
  NotaryCredentialRouter(NotaryCredentialOptions options, RegistryRealm registry_realm);

  CredentialGrant grant(CredentialUse use, const std::string& url);
  // Learns the registry's realm ahead of a challenge, when the registry's credentials exist and
  // no kept realm says it already: then a Bearer challenge is answered without asking the
  // registry first. Never throws (what fails here is asked again when needed).
  void prepare();

 private:
  const DockerConfig& config();
  std::optional<Credential> lookup(const std::string& key);  // once per key
  bool is_registry_realm(const Origin& realm);
  CredentialGrant registry_grant();
  CredentialGrant withheld(CredentialUse use, const Origin& where);

  NotaryCredentialOptions options_;
  RegistryRealm realm_;
  std::optional<DockerConfig> config_;
  std::map<std::string, std::optional<Credential>> looked_up_;
  std::optional<std::string> asked_realm_;  // the registry's answer in this run
  bool asked_ = false;
  std::mutex mutex_;  // prepare() runs beside the requests, grant() after them
};

// The CredentialRouter for an Authorizer of a notary server.
CredentialRouter route_notary_credentials(std::shared_ptr<NotaryCredentialRouter> router);

}  // namespace dct::registry
