#include "plugin/trust_client.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace dct::plugin {
namespace {

// DCT_VERIFIED_INDEX=0 (false, off, no): every run verifies whole targets files, and no index
// is read or written.
bool verified_index_disabled_by_env() {
  const char* env = std::getenv("DCT_VERIFIED_INDEX");
  if (env == nullptr) return false;
  const std::string v(env);
  return v == "0" || v == "false" || v == "off" || v == "no";
}

}  // namespace

registry::SessionOptions session_options(const TrustOptions& options) {
  registry::SessionOptions out;
  out.config_dir = options.docker_config_dir;
  out.server = options.server;
  out.trust_dir = options.trust_dir;
  out.notary_config = options.notary_config;
  return out;
}

RepositoryClient::RepositoryClient(registry::Session& session, const registry::Reference& ref,
                                   std::string_view actions, trust::MetadataFetcher* fetcher)
    : session_(session),
      ref_(ref),
      server_(session.notary_server(ref)),
      trust_dir_(session.trust_dir()),
      remote_(session.notary_remote(ref)),
      cache_(trust_dir_, ref.gun()),
      staged_(cache_),
      index_(trust::repository_dir(trust_dir_, ref.gun()) / "dct-index",
             trust::IndexSeal::key_file_in(trust_dir_)) {
  remote_->set_read_actions(actions);
  trust::MetadataFetcher& source = fetcher ? *fetcher : *remote_;
  updater_ =
      std::make_unique<trust::Updater>(ref.gun(), source, staged_, clock_, session.trust_pinning());
  // Indexes reach the disk only through commit_cache(), which commands call once everything
  // they read verified: a command that fails, or never commits, leaves the trust dir as it was.
  index_.hold();
  if (!verified_index_disabled_by_env()) updater_->set_index_store(&index_);
  publish_remote_ = std::make_unique<NotaryPublishRemote>(*remote_);
}

trust::PublishService RepositoryClient::publishing(trust::SigningKeys& keys) {
  return trust::PublishService({gun(), trust_dir_, *updater_, staged_, *publish_remote_}, keys);
}

trust::PublicKey NotaryPublishRemote::server_key(const std::string& role) {
  const auto doc = nlohmann::json::parse(remote_.get_key(role), nullptr, false);
  return trust::PublicKey::from_json(doc);
}

void NotaryPublishRemote::publish(const std::vector<trust::RepoFile>& files) {
  std::vector<registry::PublishFile> upload;
  upload.reserve(files.size());
  for (const auto& f : files) upload.push_back({f.role, f.bytes});
  remote_.publish(upload);
}

trust::TrustedRepository RepositoryClient::update(const trust::UpdateOptions& options) {
  return updater_->update(options);
}

}  // namespace dct::plugin
