#pragma once
// The docker CLI configuration directory and the parts of <dir>/config.json that matter here:
// "auths", "credsStore", "credHelpers"; and the DOCKER_AUTH_CONFIG environment variable.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "registry/credentials.h"

namespace dct::registry {

// An "auths" entry. A broken entry keeps its error, reported only when the entry is used.
struct AuthEntry {
  Credential credential;
  std::string error;
};

struct DockerConfig {
  std::filesystem::path dir;  // the configuration directory
  std::map<std::string, AuthEntry> auths;
  std::string creds_store;                          // "credsStore": helper suffix for all keys
  std::map<std::string, std::string> cred_helpers;  // "credHelpers": key -> helper suffix
  // DOCKER_AUTH_CONFIG entries (they take precedence over everything else).
  std::map<std::string, AuthEntry> env_auths;
};

// --config  >  DOCKER_CONFIG  >  $HOME/.docker
std::filesystem::path docker_config_dir(
    const std::optional<std::filesystem::path>& explicit_dir = {});

// Reads <dir>/config.json (a missing file is an empty config) and DOCKER_AUTH_CONFIG.
// Throws dct::Error(config_invalid) for unreadable or malformed JSON.
DockerConfig load_docker_config(const std::filesystem::path& dir);

// The pieces, for tests: `source` names the input in error messages.
DockerConfig parse_docker_config(std::string_view json, std::string_view source);
std::map<std::string, AuthEntry> parse_docker_auth_config_env(std::string_view json);
// "auth" is base64("user:password"): split at the first ':', NULs trimmed from the password.
AuthEntry decode_auth_field(std::string_view auth);

}  // namespace dct::registry
