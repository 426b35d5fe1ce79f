#pragma once
// Everything a command needs to talk trust for one repository: which notary server, which trust
// dir, TLS and credentials for it, and a verifying updater over the shared transport.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "registry/auth.h"
#include "registry/endpoints.h"
#include "registry/notary_config.h"
#include "registry/notary_remote.h"
#include "registry/reference.h"
#include "trust/cache.h"
#include "trust/updater.h"

namespace dct::plugin {

struct TrustOptions {
  std::filesystem::path docker_config_dir;
  std::optional<std::string> server;                   // --server
  std::optional<std::filesystem::path> trust_dir;      // --trust-dir
  std::optional<std::filesystem::path> notary_config;  // explicit notary config file
};

// The trust pinning section of the notary config, with CA bundles read from disk.
trust::TrustPinning load_pinning(const registry::NotaryConfig& config);

class RepositoryClient {
 public:
  RepositoryClient(const TrustOptions& options, const registry::Reference& ref,
                   std::string_view actions = registry::kPull);
  // Its notary Authorizer calls back into it (for the registry's), so it stays where it is.
  RepositoryClient(const RepositoryClient&) = delete;
  RepositoryClient& operator=(const RepositoryClient&) = delete;

  const registry::Reference& reference() const { return ref_; }
  std::string gun() const { return ref_.gun(); }
  const registry::NotaryServer& server() const { return server_; }
  const std::filesystem::path& trust_dir() const { return trust_dir_; }
  registry::NotaryRemote& remote() { return *remote_; }
  trust::Updater& updater() { return *updater_; }
  trust::MetadataCache& cache() { return *staged_; }
  // While held, verified metadata reaches the disk cache only on commit_cache(), so a failed
  // verification leaves the cache as it was.
  void hold_cache_writes() { staged_->hold(); }
  void commit_cache() { staged_->commit(); }
  void discard_cache_writes() { staged_->discard(); }
  const registry::NotaryConfig& notary_config() const { return notary_config_; }
  std::shared_ptr<registry::Authorizer> registry_authorizer();

  // Brings the trust data up to date and verifies it (see trust::Updater).
  trust::TrustedRepository update(const trust::UpdateOptions& options = {});

 private:
  registry::Reference ref_;
  TrustOptions options_;
  registry::NotaryConfig notary_config_;
  registry::NotaryServer server_;
  std::filesystem::path trust_dir_;
  std::shared_ptr<registry::Authorizer> notary_auth_;
  std::shared_ptr<registry::Authorizer> registry_auth_;
  std::unique_ptr<registry::NotaryRemote> remote_;
  std::unique_ptr<trust::FileMetadataCache> cache_;
  std::unique_ptr<trust::StagedMetadataCache> staged_;
  trust::SystemClock clock_;
  std::unique_ptr<trust::Updater> updater_;
};

}  // namespace dct::plugin
