#include "registry/docker_config.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "base/encoding.h"
#include "base/errors.h"

namespace dct::registry {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string home_dir() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* result = nullptr;
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr &&
      result->pw_dir != nullptr) {
    return result->pw_dir;
  }
  throw Error(ErrorCode::config_invalid, "cannot find the home directory: HOME is not set");
}

[[noreturn]] void invalid(std::string_view source, const std::string& what) {
  throw Error(ErrorCode::config_invalid, std::string(source) + ": " + what);
}

std::string string_field(const json& obj, const char* name, std::string_view source,
                         const std::string& where) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) invalid(source, where + "." + name + " must be a string");
  return it->get<std::string>();
}

AuthEntry parse_auth_entry(const json& entry, std::string_view source, const std::string& where) {
  if (!entry.is_object()) invalid(source, where + " must be an object");
  AuthEntry out;
  const std::string auth = string_field(entry, "auth", source, where);
  if (!auth.empty()) {
    out = decode_auth_field(auth);
  } else {
    out.credential.username = string_field(entry, "username", source, where);
    out.credential.password = string_field(entry, "password", source, where);
  }
  out.credential.identity_token = string_field(entry, "identitytoken", source, where);
  if (!out.error.empty()) out.error = std::string(source) + ": " + where + ": " + out.error;
  return out;
}

json parse_json(std::string_view text, std::string_view source) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) invalid(source, "not valid JSON");
  if (!doc.is_object()) invalid(source, "must be a JSON object");
  return doc;
}

}  // namespace

AuthEntry decode_auth_field(std::string_view auth) {
  AuthEntry out;
  auto decoded = base64_decode(auth);
  if (!decoded) {
    out.error = "\"auth\" is not valid base64";
    return out;
  }
  const auto colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0) {
    out.error = "\"auth\" must be base64 of \"username:password\"";
    return out;
  }
  out.credential.username = decoded->substr(0, colon);
  std::string password = decoded->substr(colon + 1);
  const auto first = password.find_first_not_of('\0');
  const auto last = password.find_last_not_of('\0');
  out.credential.password =
      first == std::string::npos ? std::string() : password.substr(first, last - first + 1);
  return out;
}

fs::path docker_config_dir(const std::optional<fs::path>& explicit_dir) {
  if (explicit_dir && !explicit_dir->empty()) return *explicit_dir;
  if (const char* env = std::getenv("DOCKER_CONFIG"); env != nullptr && *env != '\0') return env;
  return fs::path(home_dir()) / ".docker";
}

DockerConfig parse_docker_config(std::string_view text, std::string_view source) {
  DockerConfig cfg;
  const json doc = parse_json(text, source);
  if (auto it = doc.find("auths"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) invalid(source, "\"auths\" must be an object");
    for (const auto& [key, entry] : it->items()) {
      cfg.auths[key] = parse_auth_entry(entry, source, "auths[\"" + key + "\"]");
    }
  }
  cfg.creds_store = string_field(doc, "credsStore", source, "config");
  if (auto it = doc.find("credHelpers"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) invalid(source, "\"credHelpers\" must be an object");
    for (const auto& [key, helper] : it->items()) {
      if (!helper.is_string()) invalid(source, "credHelpers[\"" + key + "\"] must be a string");
      cfg.cred_helpers[key] = helper.get<std::string>();
    }
  }
  return cfg;
}

std::map<std::string, AuthEntry> parse_docker_auth_config_env(std::string_view text) {
  constexpr std::string_view source = "DOCKER_AUTH_CONFIG";
  const json doc = parse_json(text, source);
  std::map<std::string, AuthEntry> out;
  for (const auto& [name, value] : doc.items()) {
    if (name != "auths") invalid(source, "unknown field \"" + name + "\" (only \"auths\")");
  }
  auto it = doc.find("auths");
  if (it == doc.end()) return out;
  if (!it->is_object()) invalid(source, "\"auths\" must be an object");
  for (const auto& [key, entry] : it->items()) {
    const std::string where = "auths[\"" + key + "\"]";
    if (!entry.is_object()) invalid(source, where + " must be an object");
    for (const auto& [field, v] : entry.items()) {
      if (field != "auth") {
        invalid(source, where + ": unknown field \"" + field + "\" (only \"auth\" is supported)");
      }
    }
    out[key] = parse_auth_entry(entry, source, where);
  }
  return out;
}

DockerConfig load_docker_config(const fs::path& dir) {
  DockerConfig cfg;
  const fs::path file = dir / "config.json";
  std::ifstream in(file, std::ios::binary);
  if (in) {
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) invalid(file.string(), "could not be read");
    cfg = parse_docker_config(text.str(), file.string());
  } else {
    std::error_code ec;
    if (fs::exists(file, ec)) invalid(file.string(), "could not be opened");
  }
  cfg.dir = dir;
  if (const char* env = std::getenv("DOCKER_AUTH_CONFIG"); env != nullptr && *env != '\0') {
    cfg.env_auths = parse_docker_auth_config_env(env);
  }
  return cfg;
}

}  // namespace dct::registry
