#pragma once
// Everything a command needs to talk trust for one repository, taken from the run's Session
// (the composition root): the notary server and trust dir it decided, the repository's remote
// over the shared transport, the metadata cache, and a verifying updater.
#include <filesystem>
#include <memory>
#include <string>

#include "registry/session.h"
#include "trust/publish/publish_service.h"
#include "trust/tuf/cache.h"
#include "trust/tuf/updater.h"

namespace dct::plugin {

// The trust options every command shares: --server, --trust-dir, the config dir.
struct TrustOptions {
  std::filesystem::path docker_config_dir;
  std::optional<std::string> server;                   // --server
  std::optional<std::filesystem::path> trust_dir;      // --trust-dir
  std::optional<std::filesystem::path> notary_config;  // explicit notary config file
  std::optional<std::filesystem::path> bundle;         // --bundle: trust data from a file
};

registry::SessionOptions session_options(const TrustOptions& options);

// The notary server's write operations, as trust/publish asks for them.
class NotaryPublishRemote final : public trust::PublishRemote {
 public:
  explicit NotaryPublishRemote(registry::NotaryRemote& remote) : remote_(remote) {}
  trust::PublicKey server_key(const std::string& role) override;
  void publish(const std::vector<trust::RepoFile>& files) override;

 private:
  registry::NotaryRemote& remote_;
};

class RepositoryClient {
 public:
  // With `fetcher`, trust data comes from it (an offline bundle) instead of the notary server.
  RepositoryClient(registry::Session& session, const registry::Reference& ref,
                   std::string_view actions = registry::kPull,
                   trust::MetadataFetcher* fetcher = nullptr);

  registry::Session& session() { return session_; }
  const registry::Reference& reference() const { return ref_; }
  std::string gun() const { return ref_.gun(); }
  const registry::NotaryServer& server() const { return server_; }
  const std::filesystem::path& trust_dir() const { return trust_dir_; }
  registry::NotaryRemote& remote() { return *remote_; }
  trust::Updater& updater() { return *updater_; }
  trust::MetadataCache& cache() { return staged_; }
  // While held, verified metadata reaches the disk cache only on commit_cache(), so a failed
  // verification leaves the cache as it was.
  void hold_cache_writes() { staged_.hold(); }
  void commit_cache() {
    staged_.commit();
    index_.commit();
  }
  void discard_cache_writes() { staged_.discard(); }
  std::shared_ptr<registry::Authorizer> registry_authorizer() {
    return session_.registry_authorizer(ref_);
  }

  // Brings the trust data up to date and verifies it (see trust::Updater).
  trust::TrustedRepository update(const trust::UpdateOptions& options = {});

  // Publishing to this repository with `keys` (see trust/publish/publish_service.h).
  trust::PublishService publishing(trust::SigningKeys& keys);

 private:
  registry::Session& session_;
  registry::Reference ref_;
  registry::NotaryServer server_;
  std::filesystem::path trust_dir_;
  std::unique_ptr<registry::NotaryRemote> remote_;
  trust::FileMetadataCache cache_;
  trust::StagedMetadataCache staged_;
  trust::SystemClock clock_;
  trust::VerifiedIndexStore index_;
  std::unique_ptr<trust::Updater> updater_;
  std::unique_ptr<NotaryPublishRemote> publish_remote_;
};

}  // namespace dct::plugin
