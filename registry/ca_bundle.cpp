#include "registry/ca_bundle.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/errors.h"

namespace dct::registry {

namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
}

std::string cache_key(const TlsOptions& tls) {
  std::string key = tls.roots == TlsOptions::Roots::exclusive ? "x" : "s";
  for (const auto& f : tls.ca_files) {
    key += '\n';
    key += f.string();
  }
  return key;
}

}  // namespace

std::optional<std::filesystem::path> system_ca_dir() {
  static const std::optional<std::filesystem::path> dir =
      []() -> std::optional<std::filesystem::path> {
    const std::filesystem::path d =
        std::getenv("DCT_SYSTEM_CA_DIR") ? std::getenv("DCT_SYSTEM_CA_DIR") : "/etc/ssl/certs";
    std::error_code ec;
    // OpenSSL's directory lookup needs the <subject hash>.0 links c_rehash/update-ca-certificates
    // make.
    for (const auto& e : std::filesystem::directory_iterator(d, ec)) {
      const std::string name = e.path().filename().string();
      if (name.size() == 10 && name.compare(8, 2, ".0") == 0) return d;
    }
    return std::nullopt;
  }();
  return dir;
}

std::shared_ptr<const std::string> CaBundleCache::bundle_for(const TlsOptions& tls) {
  if (tls.ca_files.empty()) return nullptr;
  const std::string key = cache_key(tls);
  std::lock_guard lock(mutex_);
  if (auto it = bundles_.find(key); it != bundles_.end()) return it->second;

  // Only the extra roots: the system roots come from the hashed CA directory, which OpenSSL
  // reads lazily (parsing the whole system bundle costs more than the rest of a warm resolve).
  std::string bundle;
  for (const auto& file : tls.ca_files) {
    auto pem = read_file(file);
    if (!pem) {
      throw Error(ErrorCode::tls_config, "could not read CA certificate file " + file.string());
    }
    if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      throw Error(ErrorCode::tls_config,
                  "CA certificate file " + file.string() + " holds no PEM certificate");
    }
    bundle += *pem;
    bundle += '\n';
  }
  auto shared = std::make_shared<const std::string>(std::move(bundle));
  bundles_.emplace(key, shared);
  return shared;
}

}  // namespace dct::registry
