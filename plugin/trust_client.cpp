#include "plugin/trust_client.h"

#include <fmt/format.h>

#include "registry/authorizers.h"
#include "registry/http.h"
#include "trust/errors.h"

namespace dct::plugin {

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
  registry::NotaryAuthorizerSetup setup;
  setup.server_url = server_.url;
  setup.ref = ref;
  setup.config_dir = options.docker_config_dir;
  setup.notary_config = &notary_config_;
  setup.trust_dir = trust_dir_;
  setup.registry = [this] { return registry_authorizer(); };
  notary_auth_ = registry::make_notary_authorizer(registry::Transport::shared(), setup);
  remote_ = std::make_unique<registry::NotaryRemote>(notary_auth_, ref.gun());
  remote_->set_read_actions(actions);
  cache_ = std::make_unique<trust::FileMetadataCache>(trust_dir_, ref.gun());
  staged_ = std::make_unique<trust::StagedMetadataCache>(*cache_);
  updater_ = std::make_unique<trust::Updater>(ref.gun(), *remote_, *staged_, clock_,
                                              load_pinning(notary_config_));
}

std::shared_ptr<registry::Authorizer> RepositoryClient::registry_authorizer() {
  if (!registry_auth_) {
    registry_auth_ = registry::make_registry_authorizer(registry::Transport::shared(),
                                                        options_.docker_config_dir, ref_);
  }
  return registry_auth_;
}

trust::TrustedRepository RepositoryClient::update(const trust::UpdateOptions& options) {
  return updater_->update(options);
}

}  // namespace dct::plugin
