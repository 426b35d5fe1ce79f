#pragma once
// TLS settings per server, from docker's certificate directories and the notary client config:
//   <dir>/*.crt                  extra CA roots (added to the system store)
//   <dir>/<name>.cert + .key     a client certificate; one without the other is an error
// Notary server:  <config dir>/tls/<host:port>/  (+ notary config remote_server.* when the
//                 notary config names the same server; its root_ca is an exclusive pool)
// Registry, and any other host (a token server): <certs.d>/<host:port>/ (DCT_CERTS_D or
//                 /etc/docker/certs.d), then <config dir>/tls/<host:port>/
// Each host gets only its own directories: a client certificate is never presented elsewhere.
#include <filesystem>
#include <string_view>

#include "registry/http.h"
#include "registry/notary_config.h"

namespace dct::registry {

// Adds what `dir` holds to `into`. A missing directory adds nothing. Throws
// dct::Error(tls_config) naming the file for a .cert without .key (or the reverse).
void read_certs_directory(const std::filesystem::path& dir, TlsOptions& into);

std::filesystem::path certs_d_root();  // DCT_CERTS_D, else /etc/docker/certs.d

// `server_url` is the notary server URL; the directory name is its host[:port] as written.
TlsOptions notary_tls(const std::filesystem::path& config_dir, std::string_view server_url,
                      const NotaryConfig* notary_config = nullptr);

// `host_port` is the registry domain of a reference (e.g. "myreg:5000"), or the host[:port] of
// a token realm.
TlsOptions registry_tls(const std::filesystem::path& config_dir, std::string_view host_port);

}  // namespace dct::registry
