#include "plugin/trust_client.h"

#include <fmt/format.h>

#include "registry/docker_config.h"
#include "registry/http.h"
#include "registry/tls_config.h"
#include "trust/errors.h"

namespace dct::plugin {
namespace {

registry::CredentialProvider credentials_for(const std::filesystem::path& config_dir,
                                             std::string key) {
  return [config_dir, key]() -> std::optional<registry::Credential> {
    auto config = registry::load_docker_config(config_dir);
    return registry::lookup_credentials(config, key);
  };
}

}  // namespace

trust::TrustPinning load_pinning(const registry::NotaryConfig& config) {
  trust::TrustPinning pinning;
  pinning.certs = config.trust_pinning.certs;
  pinning.disable_tofu = config.trust_pinning.disable_tofu;
  for (const auto& [prefix, path] : config.trust_pinning.ca) {
    auto pem = trust::read_file_capped(path, 1u << 20);
    if (!pem)
      throw Error(ErrorCode::config_invalid,
                  fmt::format("cannot read the CA bundle \"{}\" pinned for \"{}\" in {}", path,
                              prefix, config.file.string()));
    pinning.ca[prefix] = *pem;
  }
  return pinning;
}

RepositoryClient::RepositoryClient(const TrustOptions& options, const registry::Reference& ref,
                                   std::string_view actions)
    : ref_(ref), options_(options) {
  notary_config_ = registry::load_notary_config(options.notary_config);
  server_ = registry::select_notary_server(ref.domain, options.server, &notary_config_);
  trust_dir_ =
      registry::select_trust_dir(options.trust_dir, &notary_config_, options.docker_config_dir);
  registry::AuthorizerOptions auth_options;
  auth_options.tls = registry::notary_tls(options.docker_config_dir, server_.url, &notary_config_);
  auth_options.credentials = credentials_for(options.docker_config_dir, ref.credentials_key());
  auth_options.credentials_key = ref.credentials_key();
  notary_auth_ = std::make_shared<registry::Authorizer>(registry::Transport::shared(), server_.url,
                                                        std::move(auth_options));
  remote_ = std::make_unique<registry::NotaryRemote>(notary_auth_, ref.gun());
  remote_->set_read_actions(actions);
  cache_ = std::make_unique<trust::FileMetadataCache>(trust_dir_, ref.gun());
  staged_ = std::make_unique<trust::StagedMetadataCache>(*cache_);
  updater_ = std::make_unique<trust::Updater>(ref.gun(), *remote_, *staged_, clock_,
                                              load_pinning(notary_config_));
}

std::shared_ptr<registry::Authorizer> RepositoryClient::registry_authorizer() {
  if (!registry_auth_) {
    registry::AuthorizerOptions o;
    o.tls = registry::registry_tls(options_.docker_config_dir, ref_.domain);
    o.credentials = credentials_for(options_.docker_config_dir, ref_.credentials_key());
    o.credentials_key = ref_.credentials_key();
    registry_auth_ = std::make_shared<registry::Authorizer>(registry::Transport::shared(),
                                                            ref_.registry_api_base(), std::move(o));
  }
  return registry_auth_;
}

trust::TrustedRepository RepositoryClient::update(const trust::UpdateOptions& options) {
  return updater_->update(options);
}

}  // namespace dct::plugin
