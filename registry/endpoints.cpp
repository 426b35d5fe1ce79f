#include "registry/endpoints.h"

#include <cstdlib>

#include "base/errors.h"
#include "registry/headers.h"
#include "registry/reference.h"
#include "registry/url.h"

namespace dct::registry {

namespace fs = std::filesystem;

std::string_view source_name(NotaryServer::Source s) noexcept {
  switch (s) {
    case NotaryServer::Source::flag:
      return "--server";
    case NotaryServer::Source::environment:
      return "DOCKER_CONTENT_TRUST_SERVER";
    case NotaryServer::Source::notary_config:
      return "notary config remote_server.url";
    case NotaryServer::Source::docker_hub:
      return "Docker Hub default";
    case NotaryServer::Source::registry:
      return "registry host";
  }
  return "";
}

std::optional<std::string> normalize_https_url(std::string_view url) {
  const auto u = parse_url(url);
  if (!u || u->scheme != "https" || u->userinfo || u->query || u->fragment) return std::nullopt;
  if (url.find_first_of("?#@ \t\r\n") != std::string_view::npos) return std::nullopt;
  const std::string authority = u->authority();
  if (!is_valid_domain(authority)) return std::nullopt;
  // Only a URL libcurl reads as it is written: not "https:/host", "https://h:/", "https://%68",
  // "https://h:0443" or a non-canonical IPv6 address, whose TLS directory would be another one.
  const std::string base = "https://" + authority;
  if (url.size() < base.size() || !iequals(url.substr(0, base.size()), base) ||
      (url.size() > base.size() && url[base.size()] != '/')) {
    return std::nullopt;
  }
  return base + trim_trailing_slash(u->path);
}

namespace {

std::string checked(std::string_view value, ErrorCode code, std::string_view where) {
  if (auto url = normalize_https_url(value)) return *url;
  throw Error(code, "valid https URL required for trust server, got " + std::string(value),
              "set " + std::string(where) + " to a URL like https://notary.example.com:4443");
}

}  // namespace

NotaryServer select_notary_server(std::string_view registry_domain,
                                  const std::optional<std::string>& server_flag,
                                  const NotaryConfig* notary_config) {
  NotaryServer out;
  if (server_flag && !server_flag->empty()) {
    out.url = checked(*server_flag, ErrorCode::invalid_argument, "--server");
    out.source = NotaryServer::Source::flag;
    return out;
  }
  if (const char* env = std::getenv("DOCKER_CONTENT_TRUST_SERVER"); env != nullptr && *env) {
    out.url = checked(env, ErrorCode::config_invalid, "DOCKER_CONTENT_TRUST_SERVER");
    out.source = NotaryServer::Source::environment;
    return out;
  }
  if (notary_config && !notary_config->remote.url.empty()) {
    out.url = checked(notary_config->remote.url, ErrorCode::config_invalid,
                      "remote_server.url in " + notary_config->file.string());
    out.source = NotaryServer::Source::notary_config;
    return out;
  }
  const std::string domain = normalize_domain(registry_domain);
  if (domain == kDockerHubDomain) {
    out.url = std::string(kDockerHubNotary);
    out.source = NotaryServer::Source::docker_hub;
    return out;
  }
  out.url = "https://" + domain;
  out.source = NotaryServer::Source::registry;
  return out;
}

fs::path select_trust_dir(const std::optional<fs::path>& trust_dir_flag,
                          const NotaryConfig* notary_config, const fs::path& docker_config_dir) {
  if (trust_dir_flag && !trust_dir_flag->empty()) {
    return fs::absolute(expand_home(trust_dir_flag->string())).lexically_normal();
  }
  if (notary_config && !notary_config->trust_dir.empty()) return notary_config->trust_dir;
  return docker_config_dir / "trust";
}

}  // namespace dct::registry
