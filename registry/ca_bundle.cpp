#include "registry/ca_bundle.h"

#include <curl/curl.h>

#include <fstream>
#include <sstream>

#include "registry/curl_handles.h"
#include "trust/errors.h"

namespace dct::registry {

namespace {

constexpr std::string_view kFallbackBundle = "/etc/ssl/certs/ca-certificates.crt";

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

std::filesystem::path system_ca_bundle_path() {
#if LIBCURL_VERSION_NUM >= 0x075400  // CURLINFO_CAINFO: 7.84.0
  static const std::filesystem::path path = [] {
    curl::Easy easy = curl::make_easy();
    char* value = nullptr;
    if (curl_easy_getinfo(easy.get(), CURLINFO_CAINFO, &value) == CURLE_OK && value != nullptr) {
      return std::filesystem::path(value);
    }
    return std::filesystem::path(kFallbackBundle);
  }();
  return path;
#else
  return std::filesystem::path(kFallbackBundle);
#endif
}

std::shared_ptr<const std::string> CaBundleCache::bundle_for(const TlsOptions& tls) {
  if (tls.roots == TlsOptions::Roots::system_plus_extra && tls.ca_files.empty()) return nullptr;
  const std::string key = cache_key(tls);
  std::lock_guard lock(mutex_);
  if (auto it = bundles_.find(key); it != bundles_.end()) return it->second;

  std::string bundle;
  if (tls.roots == TlsOptions::Roots::system_plus_extra) {
    // A missing system bundle is not an error here: libcurl's CA directory still applies.
    if (auto system = read_file(system_ca_bundle_path())) {
      bundle = std::move(*system);
      bundle += '\n';
    }
  }
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
