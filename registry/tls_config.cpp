#include "registry/tls_config.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "base/errors.h"
#include "registry/origin.h"
#include "registry/url.h"

namespace dct::registry {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void read_certs_directory(const fs::path& dir, TlsOptions& into) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code fec;
    if (entry.is_regular_file(fec)) files.push_back(entry.path());
  }
  if (ec) {
    throw Error(ErrorCode::tls_config, "could not read certificate directory " + dir.string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const std::string name = file.filename().string();
    if (ends_with(name, ".crt")) {
      into.ca_files.push_back(file);
    } else if (ends_with(name, ".cert")) {
      fs::path key = file;
      key.replace_extension(".key");
      if (!fs::exists(key, ec)) {
        throw Error(ErrorCode::tls_config,
                    "missing key " + key.string() + " for client certificate " + file.string(),
                    "CA certificates must use the extension .crt");
      }
      if (into.client_cert.empty()) {
        into.client_cert = file;
        into.client_key = key;
      }
    } else if (ends_with(name, ".key")) {
      fs::path cert = file;
      cert.replace_extension(".cert");
      if (!fs::exists(cert, ec)) {
        throw Error(ErrorCode::tls_config,
                    "missing client certificate " + cert.string() + " for key " + file.string());
      }
    }
  }
}

fs::path certs_d_root() {
  if (const char* env = std::getenv("DCT_CERTS_D"); env != nullptr && *env != '\0') return env;
  return "/etc/docker/certs.d";
}

TlsOptions notary_tls(const fs::path& config_dir, std::string_view server_url,
                      const NotaryConfig* notary_config) {
  TlsOptions tls;
  const std::string host = url_authority(server_url);
  if (!host.empty()) read_certs_directory(config_dir / "tls" / host, tls);
  if (notary_config && !notary_config->remote.url.empty() &&
      same_origin(notary_config->remote.url, server_url)) {
    const NotaryRemoteConfig& rs = notary_config->remote;
    if (!rs.root_ca.empty()) {
      tls.roots = TlsOptions::Roots::exclusive;
      tls.ca_files.insert(tls.ca_files.begin(), rs.root_ca);
    }
    if (!rs.tls_client_cert.empty()) {
      tls.client_cert = rs.tls_client_cert;
      tls.client_key = rs.tls_client_key;
    }
  }
  return tls;
}

TlsOptions registry_tls(const fs::path& config_dir, std::string_view host_port) {
  TlsOptions tls;
  if (host_port.empty()) return tls;
  read_certs_directory(certs_d_root() / std::string(host_port), tls);
  read_certs_directory(config_dir / "tls" / std::string(host_port), tls);
  return tls;
}

}  // namespace dct::registry
