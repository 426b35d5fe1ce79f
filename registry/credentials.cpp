#include "registry/credentials.h"

#include <cstdlib>

#include "base/errors.h"
#include "base/subprocess.h"
#include "registry/credential_helper_output.h"
#include "registry/docker_config.h"
#include "registry/headers.h"

namespace dct::registry {

namespace {

const AuthEntry* find_entry(const std::map<std::string, AuthEntry>& entries, std::string_view key) {
  if (auto it = entries.find(std::string(key)); it != entries.end()) return &it->second;
  const std::string host = convert_to_hostname(key);
  for (const auto& [k, entry] : entries) {
    if (convert_to_hostname(k) == host) return &entry;
  }
  return nullptr;
}

std::optional<Credential> use_entry(const AuthEntry& entry) {
  if (!entry.error.empty()) throw Error(ErrorCode::config_invalid, entry.error);
  if (entry.credential.empty()) return std::nullopt;
  return entry.credential;
}

std::string helper_for(const DockerConfig& config, std::string_view key) {
  if (auto it = config.cred_helpers.find(std::string(key)); it != config.cred_helpers.end()) {
    return it->second;
  }
  const std::string host = convert_to_hostname(key);
  for (const auto& [k, helper] : config.cred_helpers) {
    if (convert_to_hostname(k) == host) return helper;
  }
  return config.creds_store;
}

std::optional<Credential> run_helper(const std::string& suffix, std::string_view key,
                                     std::chrono::milliseconds timeout) {
  const std::string program = "docker-credential-" + suffix;
  const std::string hint =
      "check `" + program + " get` by hand, or remove it from config.json (credsStore/credHelpers)";
  ProcessResult r = run_process({program, "get"}, key, timeout);
  switch (r.outcome) {
    case ProcessResult::Outcome::not_found:
      throw Error(ErrorCode::credential_helper_failed,
                  "credential helper " + program + " not found in PATH", hint);
    case ProcessResult::Outcome::spawn_failed:
      throw Error(ErrorCode::credential_helper_failed,
                  "could not run credential helper " + program + ": " + r.error, hint);
    case ProcessResult::Outcome::timed_out:
      throw Error(ErrorCode::credential_helper_failed,
                  fmt::format("credential helper {} did not answer within {:g} s", program,
                              static_cast<double>(timeout.count()) / 1000.0),
                  hint);
    case ProcessResult::Outcome::signaled:
      throw Error(ErrorCode::credential_helper_failed,
                  "credential helper " + program + " was killed by a signal", hint);
    case ProcessResult::Outcome::exited:
      break;
  }
  return parse_credential_helper_output(program, key, r.exit_code, r.out);
}

}  // namespace

std::string Credential::redacted() const {
  std::string out = "Credential{username=\"" + username + "\"";
  if (!password.empty()) out += ", password=<redacted>";
  if (!identity_token.empty()) out += ", identity_token=<redacted>";
  out += "}";
  return out;
}

std::ostream& operator<<(std::ostream& out, const Credential& c) { return out << c.redacted(); }

std::string convert_to_hostname(std::string_view key) {
  std::string_view s = key;
  if (s.substr(0, 7) == "http://") {
    s.remove_prefix(7);
  } else if (s.substr(0, 8) == "https://") {
    s.remove_prefix(8);
  }
  return std::string(s.substr(0, s.find('/')));
}

std::chrono::milliseconds CredentialLookupOptions::default_helper_timeout() {
  if (const char* env = std::getenv("DCT_CREDENTIAL_HELPER_TIMEOUT"); env && *env) {
    char* end = nullptr;
    const double seconds = std::strtod(env, &end);
    if (end != env && *end == '\0' && seconds > 0 && seconds < 86400) {
      return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
    }
  }
  return std::chrono::seconds(30);
}

std::optional<std::string> own_entry_key(const DockerConfig& config, std::string_view host_port) {
  if (host_port.empty()) return std::nullopt;
  for (const auto* keys : {&config.env_auths, &config.auths}) {
    for (const auto& [k, entry] : *keys) {
      if (iequals(convert_to_hostname(k), host_port)) return k;
    }
  }
  for (const auto& [k, helper] : config.cred_helpers) {
    if (iequals(convert_to_hostname(k), host_port)) return k;
  }
  return std::nullopt;
}

std::optional<Credential> lookup_credentials(const DockerConfig& config, std::string_view key,
                                             const CredentialLookupOptions& options) {
  if (const AuthEntry* env = find_entry(config.env_auths, key)) return use_entry(*env);
  if (const std::string helper = helper_for(config, key); !helper.empty()) {
    return run_helper(helper, key, options.helper_timeout);
  }
  if (const AuthEntry* file = find_entry(config.auths, key)) return use_entry(*file);
  return std::nullopt;
}

}  // namespace dct::registry
