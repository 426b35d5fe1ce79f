#pragma once
// The notary client configuration file (~/.notary/config.json), as notary 0.7 reads it:
//   trust_dir, remote_server.{url,root_ca,tls_client_cert,tls_client_key,skipTLSVerify},
//   trust_pinning.{certs,ca,disable_tofu}
// and one key of docker dct's own, which notary ignores:
//   credential_realms   token services the registry's credentials may be sent to when a notary
//                       server names them (see registry/credential_routing.h)
// Keys are matched case-insensitively (notary reads the file through viper).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dct::registry {

struct NotaryRemoteConfig {
  std::string url;                        // empty when not set
  std::filesystem::path root_ca;          // exclusive CA pool when set
  std::filesystem::path tls_client_cert;  // both or neither
  std::filesystem::path tls_client_key;
};

struct TrustPinningConfig {
  std::map<std::string, std::vector<std::string>> certs;  // "<gun or prefix*>" -> key IDs
  std::map<std::string, std::string> ca;                  // "<gun prefix>" -> PEM bundle path
  bool disable_tofu = false;
};

struct NotaryConfig {
  std::filesystem::path file;       // the file read; empty when none
  std::filesystem::path trust_dir;  // empty when not set; "~" expanded, absolute
  NotaryRemoteConfig remote;
  TrustPinningConfig trust_pinning;
  std::vector<std::string> credential_realms;  // as written: https URLs or host[:port]
};

// NOTARY_CONFIG, else $HOME/.notary/config.json.
std::filesystem::path default_notary_config_path();

// An explicit path (argument or NOTARY_CONFIG) must exist; the default path may be missing
// (empty config).
// Throws dct::Error(config_invalid) for unreadable or malformed files and for
// remote_server.skipTLSVerify = true (TLS is always verified).
NotaryConfig load_notary_config(const std::optional<std::filesystem::path>& explicit_path = {});

// Relative paths in remote_server resolve against `file`'s directory.
NotaryConfig parse_notary_config(std::string_view json, const std::filesystem::path& file);

// "~" and "~/..." -> the home directory.
std::filesystem::path expand_home(std::string_view path);

}  // namespace dct::registry
