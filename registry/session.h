#pragma once
// The composition root of a command: everything it needs to talk to registries and notary
// servers, wired once from the configuration: config dir, config.json credentials, notary
// config, trust pinning, the notary server and trust dir, TLS per host, and one shared
// Authorizer per server. Lazy: nothing is read or contacted until asked for, and each thing is
// decided once per run. The Session must outlive the objects it hands out.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "registry/auth.h"
#include "registry/docker_config.h"
#include "registry/endpoints.h"
#include "registry/http.h"
#include "registry/manifest.h"
#include "registry/notary_config.h"
#include "registry/notary_remote.h"
#include "registry/reference.h"
#include "trust/tuf/root_trust.h"

namespace dct::registry {

struct SessionOptions {
  std::optional<std::filesystem::path> config_dir;     // --config
  std::optional<std::string> server;                   // --server
  std::optional<std::filesystem::path> trust_dir;      // --trust-dir
  std::optional<std::filesystem::path> notary_config;  // explicit notary config file
};

class Session {
 public:
  explicit Session(SessionOptions options = {}, Transport& transport = Transport::shared());

  Transport& transport() noexcept { return transport_; }
  const std::filesystem::path& config_dir() const noexcept { return config_dir_; }
  const DockerConfig& docker_config();  // throws dct::Error(config_invalid)
  const NotaryConfig& notary_config();  // throws dct::Error(config_invalid)

  NotaryServer notary_server(const Reference& ref);
  // --trust-dir > trust_dir in the notary config > <config dir>/trust, decided once.
  const std::filesystem::path& trust_dir();
  // The notary config's trust_pinning, CA bundles read. Throws dct::Error(config_invalid).
  const trust::TrustPinning& trust_pinning();

  // The registry credentials for ref's registry, looked up once per key. nullopt = anonymous.
  // A notary server gets them only where registry/credential_routing.h lets them go.
  std::optional<Credential> credentials(const Reference& ref);

  std::shared_ptr<Authorizer> notary_authorizer(const Reference& ref);    // per server and GUN
  std::shared_ptr<Authorizer> registry_authorizer(const Reference& ref);  // one per registry
  std::unique_ptr<NotaryRemote> notary_remote(const Reference& ref);      // for ref.gun()
  ManifestClient manifest_client(const Reference& ref);

  // True the first time `message` is noted in this run: for warnings said once per run.
  bool first_notice(const std::string& message);

 private:
  SessionOptions options_;
  Transport& transport_;
  std::filesystem::path config_dir_;
  std::recursive_mutex mutex_;
  std::optional<DockerConfig> docker_config_;
  std::optional<NotaryConfig> notary_config_;
  std::optional<std::filesystem::path> trust_dir_;
  std::optional<trust::TrustPinning> trust_pinning_;
  std::map<std::string, std::optional<Credential>> credentials_;
  std::map<std::string, std::shared_ptr<Authorizer>> authorizers_;
  std::set<std::string> notices_;
  std::shared_ptr<TokenCache> token_cache_;
};

}  // namespace dct::registry
