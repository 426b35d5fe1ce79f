#include "registry/notary_config.h"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "registry/headers.h"
#include "trust/errors.h"

namespace dct::registry {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

[[noreturn]] void invalid(const fs::path& file, const std::string& what, std::string hint = {}) {
  throw Error(ErrorCode::config_invalid, file.string() + ": " + what, std::move(hint));
}

const json* find_ci(const json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (iequals(it.key(), name)) return it->is_null() ? nullptr : &*it;
  }
  return nullptr;
}

std::string get_string(const json& obj, std::string_view name, const fs::path& file,
                       const std::string& where) {
  const json* v = find_ci(obj, name);
  if (!v) return {};
  if (!v->is_string()) invalid(file, where + std::string(name) + " must be a string");
  return v->get<std::string>();
}

bool get_bool(const json& obj, std::string_view name, const fs::path& file,
              const std::string& where) {
  const json* v = find_ci(obj, name);
  if (!v) return false;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {  // viper accepts "true"/"false"
    const std::string s = to_lower(v->get<std::string>());
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0" || s.empty()) return false;
  }
  invalid(file, where + std::string(name) + " must be true or false");
}

fs::path relative_to(const fs::path& base_dir, const std::string& value) {
  if (value.empty()) return {};
  fs::path p = expand_home(value);
  if (p.is_relative()) p = base_dir / p;
  return p.lexically_normal();
}

std::string home() {
  const char* h = std::getenv("HOME");
  return h ? h : "";
}

}  // namespace

fs::path expand_home(std::string_view path) {
  if (path == "~") return home();
  if (path.size() >= 2 && path[0] == '~' && path[1] == '/') {
    return fs::path(home()) / std::string(path.substr(2));
  }
  return fs::path(std::string(path));
}

fs::path default_notary_config_path() {
  if (const char* env = std::getenv("NOTARY_CONFIG"); env != nullptr && *env != '\0') {
    return expand_home(env);
  }
  return fs::path(home()) / ".notary" / "config.json";
}

NotaryConfig parse_notary_config(std::string_view text, const fs::path& file) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) invalid(file, "not valid JSON");
  if (!doc.is_object()) invalid(file, "must be a JSON object");
  NotaryConfig cfg;
  cfg.file = file;
  const fs::path dir = file.parent_path();

  if (const std::string td = get_string(doc, "trust_dir", file, ""); !td.empty()) {
    // notary 0.7 resolves a relative trust_dir against the working directory.
    cfg.trust_dir = fs::absolute(expand_home(td)).lexically_normal();
  }

  if (const json* rs = find_ci(doc, "remote_server")) {
    if (!rs->is_object()) invalid(file, "remote_server must be an object");
    const std::string w = "remote_server.";
    if (get_bool(*rs, "skipTLSVerify", file, w)) {
      invalid(file, "remote_server.skipTLSVerify is not supported: docker dct always verifies TLS",
              "remove it and add the server's CA certificate as remote_server.root_ca");
    }
    cfg.remote.url = get_string(*rs, "url", file, w);
    cfg.remote.root_ca = relative_to(dir, get_string(*rs, "root_ca", file, w));
    cfg.remote.tls_client_cert = relative_to(dir, get_string(*rs, "tls_client_cert", file, w));
    cfg.remote.tls_client_key = relative_to(dir, get_string(*rs, "tls_client_key", file, w));
    if (cfg.remote.tls_client_cert.empty() != cfg.remote.tls_client_key.empty()) {
      invalid(file,
              "remote_server.tls_client_cert and remote_server.tls_client_key must be "
              "given together");
    }
  }

  if (const json* tp = find_ci(doc, "trust_pinning")) {
    if (!tp->is_object()) invalid(file, "trust_pinning must be an object");
    if (const json* certs = find_ci(*tp, "certs")) {
      if (!certs->is_object()) invalid(file, "trust_pinning.certs must be an object");
      for (const auto& [gun, ids] : certs->items()) {
        const std::string where = "trust_pinning.certs[\"" + gun + "\"]";
        if (!ids.is_array()) invalid(file, where + " must be a list of key IDs");
        auto& out = cfg.trust_pinning.certs[gun];
        for (const auto& id : ids) {
          if (!id.is_string()) invalid(file, where + " must be a list of key IDs");
          out.push_back(id.get<std::string>());
        }
      }
    }
    if (const json* ca = find_ci(*tp, "ca")) {
      if (!ca->is_object()) invalid(file, "trust_pinning.ca must be an object");
      for (const auto& [prefix, path] : ca->items()) {
        if (!path.is_string()) {
          invalid(file, "trust_pinning.ca[\"" + prefix + "\"] must be a file path");
        }
        cfg.trust_pinning.ca[prefix] = path.get<std::string>();
      }
    }
    cfg.trust_pinning.disable_tofu = get_bool(*tp, "disable_tofu", file, "trust_pinning.");
  }

  if (const json* realms = find_ci(doc, "credential_realms")) {
    if (!realms->is_array()) invalid(file, "credential_realms must be a list of URLs");
    for (const auto& realm : *realms) {
      if (!realm.is_string()) invalid(file, "credential_realms must be a list of URLs");
      cfg.credential_realms.push_back(realm.get<std::string>());
    }
  }
  return cfg;
}

NotaryConfig load_notary_config(const std::optional<fs::path>& explicit_path) {
  const char* env = std::getenv("NOTARY_CONFIG");
  const bool is_explicit = (explicit_path && !explicit_path->empty()) || (env && *env);
  const fs::path file = explicit_path && !explicit_path->empty()
                            ? expand_home(explicit_path->string())
                            : default_notary_config_path();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (is_explicit || fs::exists(file, ec)) {
      invalid(file, "could not be read");
    }
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) invalid(file, "could not be read");
  return parse_notary_config(text.str(), fs::absolute(file));
}

}  // namespace dct::registry
