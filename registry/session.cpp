#include "registry/session.h"

#include <fmt/format.h>

#include "base/errors.h"
#include "base/files.h"
#include "registry/authorizers.h"

namespace dct::registry {

Session::Session(SessionOptions options, Transport& transport)
    : options_(std::move(options)),
      transport_(transport),
      config_dir_(docker_config_dir(options_.config_dir)),
      token_cache_(TokenCache::for_config_dir(config_dir_)) {}

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

const std::filesystem::path& Session::trust_dir() {
  const NotaryConfig& config = notary_config();
  std::lock_guard lock(mutex_);
  if (!trust_dir_) trust_dir_ = select_trust_dir(options_.trust_dir, &config, config_dir_);
  return *trust_dir_;
}

const trust::TrustPinning& Session::trust_pinning() {
  const NotaryConfig& config = notary_config();
  std::lock_guard lock(mutex_);
  if (trust_pinning_) return *trust_pinning_;
  trust::TrustPinning pinning;
  pinning.certs = config.trust_pinning.certs;
  pinning.disable_tofu = config.trust_pinning.disable_tofu;
  for (const auto& [prefix, path] : config.trust_pinning.ca) {
    auto pem = read_file_capped(path, 1u << 20);
    if (!pem)
      throw Error(ErrorCode::config_invalid,
                  fmt::format("cannot read the CA bundle \"{}\" pinned for \"{}\" in {}", path,
                              prefix, config.file.string()));
    pinning.ca[prefix] = *pem;
  }
  trust_pinning_ = std::move(pinning);
  return *trust_pinning_;
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
  const std::filesystem::path& trust = trust_dir();
  std::lock_guard lock(mutex_);
  const std::string cache_key = "notary\n" + server.url + "\n" + ref.gun();
  if (auto it = authorizers_.find(cache_key); it != authorizers_.end()) return it->second;
  NotaryAuthorizerSetup setup;
  setup.server_url = server.url;
  setup.ref = ref;
  setup.config_dir = config_dir_;
  setup.notary_config = &notary_config();
  setup.trust_dir = trust;
  setup.registry = [this, ref] { return registry_authorizer(ref); };
  setup.token_cache = token_cache_;
  auto auth = make_notary_authorizer(transport_, setup);
  authorizers_.emplace(cache_key, auth);
  return auth;
}

std::shared_ptr<Authorizer> Session::registry_authorizer(const Reference& ref) {
  const std::string base = ref.registry_api_base();
  std::lock_guard lock(mutex_);
  const std::string cache_key = "registry\n" + base;
  if (auto it = authorizers_.find(cache_key); it != authorizers_.end()) return it->second;
  auto auth = make_registry_authorizer(transport_, config_dir_, ref, token_cache_);
  authorizers_.emplace(cache_key, auth);
  return auth;
}

std::unique_ptr<NotaryRemote> Session::notary_remote(const Reference& ref) {
  return std::make_unique<NotaryRemote>(notary_authorizer(ref), ref.gun());
}

ManifestClient Session::manifest_client(const Reference& ref) {
  return ManifestClient(registry_authorizer(ref));
}

bool Session::first_notice(const std::string& message) {
  std::lock_guard lock(mutex_);
  return notices_.insert(message).second;
}

}  // namespace dct::registry
