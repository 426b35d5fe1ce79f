#pragma once
// PEM bundles handed to libcurl as in-memory CA stores: the system bundle plus extra roots, or
// only the given roots (exclusive mode). Read once per distinct set of files. Internal to
// registry/.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "registry/http.h"

namespace dct::registry {

// The CA bundle libcurl was built to use (e.g. /etc/ssl/certs/ca-certificates.crt).
std::filesystem::path system_ca_bundle_path();

class CaBundleCache {
 public:
  // The bundle for `tls`, or nullptr when libcurl's default store applies unchanged
  // (system roots, no extra files). Throws dct::Error(tls_config) when a file can't be read
  // or holds no PEM certificate.
  std::shared_ptr<const std::string> bundle_for(const TlsOptions& tls);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const std::string>> bundles_;
};

}  // namespace dct::registry
