#include "plugin/trust_client.h"

namespace dct::plugin {

registry::SessionOptions session_options(const TrustOptions& options) {
  registry::SessionOptions out;
  out.config_dir = options.docker_config_dir;
  out.server = options.server;
  out.trust_dir = options.trust_dir;
  out.notary_config = options.notary_config;
  return out;
}

RepositoryClient::RepositoryClient(registry::Session& session, const registry::Reference& ref,
                                   std::string_view actions)
    : session_(session),
      ref_(ref),
      server_(session.notary_server(ref)),
      trust_dir_(session.trust_dir()),
      remote_(session.notary_remote(ref)),
      cache_(trust_dir_, ref.gun()),
      staged_(cache_) {
  remote_->set_read_actions(actions);
  updater_ = std::make_unique<trust::Updater>(ref.gun(), *remote_, staged_, clock_,
                                              session.trust_pinning());
}

trust::TrustedRepository RepositoryClient::update(const trust::UpdateOptions& options) {
  return updater_->update(options);
}

}  // namespace dct::plugin
