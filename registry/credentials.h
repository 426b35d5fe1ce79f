#pragma once
// Registry credentials and where they come from, in docker's order:
//   DOCKER_AUTH_CONFIG  >  credHelpers[key]  >  credsStore  >  config.json "auths".
// A Credential never prints its secrets: use redacted() (also what operator<< and fmt print).
#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace dct::registry {

struct DockerConfig;

struct Credential {
  std::string username;
  std::string password;        // secret
  std::string identity_token;  // secret: an OAuth refresh token ("identitytoken", "<token>")

  bool empty() const noexcept {
    return username.empty() && password.empty() && identity_token.empty();
  }
  bool has_identity_token() const noexcept { return !identity_token.empty(); }
  bool has_password() const noexcept { return !username.empty() && !password.empty(); }
  // e.g. Credential{username="alice", password=<redacted>} ; never the secrets.
  std::string redacted() const;
  bool operator==(const Credential&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Credential& c);  // redacted()

// "https://myreg:5000/v1/" -> "myreg:5000"; "myreg:5000" -> "myreg:5000" (docker's
// ConvertToHostname: scheme and path dropped, port kept).
std::string convert_to_hostname(std::string_view key);

struct CredentialLookupOptions {
  // Limit for a credential helper; default 30 s, env DCT_CREDENTIAL_HELPER_TIMEOUT=<seconds>.
  std::chrono::milliseconds helper_timeout = default_helper_timeout();
  static std::chrono::milliseconds default_helper_timeout();
};

// The credentials for a registry key (Reference::credentials_key(): "https://index.docker.io/v1/"
// or "host[:port]"), or nullopt for anonymous access. Throws dct::Error(credential_helper_failed)
// when a helper fails other than "not found", and dct::Error(config_invalid) for a broken entry.
std::optional<Credential> lookup_credentials(const DockerConfig& config, std::string_view key,
                                             const CredentialLookupOptions& options = {});

// The key under which config.json (auths, credHelpers) or DOCKER_AUTH_CONFIG holds an entry of
// its own for `host_port` ("auth.example.com", "myreg:5000"), or nullopt. A credsStore alone is
// no entry: it would be asked about any host.
std::optional<std::string> own_entry_key(const DockerConfig& config, std::string_view host_port);

}  // namespace dct::registry

template <>
struct fmt::formatter<dct::registry::Credential> : fmt::formatter<std::string> {
  template <typename Context>
  auto format(const dct::registry::Credential& c, Context& ctx) const {
    return fmt::formatter<std::string>::format(c.redacted(), ctx);
  }
};
