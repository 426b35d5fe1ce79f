#include "registry/session.h"

#include "registry/tls_config.h"

namespace dct::registry {

Session::Session(SessionOptions options, Transport& transport)
    : options_(std::move(options)),
      transport_(transport),
      config_dir_(docker_config_dir(options_.config_dir)) {}

const DockerConfig& Session::docker_config() {
  std::lock_guard lock(mutex_);
  if (!docker_config_) docker_config_ = load_docker_config(config_dir_);
  return *docker_config_;
}

const NotaryConfig& Session::notary_config() {
  std::lock_guard lock(mutex_);
  if (!notary_config_) notary_config_ = load_notary_config(options_.notary_config);
  return *notary_config_;
}

NotaryServer Session::notary_server(const Reference& ref) {
  return select_notary_server(ref.domain, options_.server, &notary_config());
}

std::filesystem::path Session::trust_dir() {
  return select_trust_dir(options_.trust_dir, &notary_config(), config_dir_);
}

std::optional<Credential> Session::credentials(const Reference& ref) {
  const std::string key = ref.credentials_key();
  std::lock_guard lock(mutex_);
  if (auto it = credentials_.find(key); it != credentials_.end()) return it->second;
  auto found = lookup_credentials(docker_config(), key);
  credentials_.emplace(key, found);
  return found;
}

std::shared_ptr<Authorizer> Session::notary_authorizer(const Reference& ref) {
  const NotaryServer server = notary_server(ref);
  std::lock_guard lock(mutex_);
  const std::string cache_key = "notary\n" + server.url + "\n" + ref.credentials_key();
  if (auto it = authorizers_.find(cache_key); it != authorizers_.end()) return it->second;
  AuthorizerOptions o;
  o.tls = notary_tls(config_dir_, server.url, &notary_config());
  o.credentials_key = ref.credentials_key();
  o.credentials = [this, ref] { return credentials(ref); };
  auto auth = std::make_shared<Authorizer>(transport_, server.url, std::move(o));
  authorizers_.emplace(cache_key, auth);
  return auth;
}

std::shared_ptr<Authorizer> Session::registry_authorizer(const Reference& ref) {
  const std::string base = ref.registry_api_base();
  std::lock_guard lock(mutex_);
  const std::string cache_key = "registry\n" + base;
  if (auto it = authorizers_.find(cache_key); it != authorizers_.end()) return it->second;
  AuthorizerOptions o;
  o.tls = registry_tls(config_dir_, ref.domain);
  o.credentials_key = ref.credentials_key();
  o.credentials = [this, ref] { return credentials(ref); };
  auto auth = std::make_shared<Authorizer>(transport_, base, std::move(o));
  authorizers_.emplace(cache_key, auth);
  return auth;
}

std::unique_ptr<NotaryRemote> Session::notary_remote(const Reference& ref) {
  return std::make_unique<NotaryRemote>(notary_authorizer(ref), ref.gun());
}

ManifestClient Session::manifest_client(const Reference& ref) {
  return ManifestClient(registry_authorizer(ref));
}

}  // namespace dct::registry
