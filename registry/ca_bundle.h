#pragma once
// PEM bundles handed to libcurl as in-memory CA stores: the system bundle plus extra roots, or
// only the given roots (exclusive mode). Read once per distinct set of files. Internal to
// registry/.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "registry/http.h"

namespace dct::registry {

// The system's hashed CA directory (/etc/ssl/certs, or DCT_SYSTEM_CA_DIR), when it has the
// hash links OpenSSL's lazy lookup needs.
std::optional<std::filesystem::path> system_ca_dir();

class CaBundleCache {
 public:
  // The PEM of `tls.ca_files`, or nullptr when there are none. The system roots are never in
  // it (see system_ca_dir()). Throws dct::Error(tls_config) when a file can't be read
  // or holds no PEM certificate.
  std::shared_ptr<const std::string> bundle_for(const TlsOptions& tls);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const std::string>> bundles_;
};

}  // namespace dct::registry
