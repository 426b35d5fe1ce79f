#pragma once
// Which notary server and which trust directory a command uses.
//   server:    --server > DOCKER_CONTENT_TRUST_SERVER > notary config remote_server.url
//              > https://notary.docker.io for docker.io > https://<registry host[:port]>
//   trust dir: --trust-dir > notary config trust_dir > <docker config dir>/trust
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "registry/notary_config.h"

namespace dct::registry {

inline constexpr std::string_view kDockerHubNotary = "https://notary.docker.io";

struct NotaryServer {
  enum class Source { flag, environment, notary_config, docker_hub, registry };
  std::string url;  // https, no trailing slash
  Source source = Source::registry;
};
std::string_view source_name(NotaryServer::Source s) noexcept;  // "--server", ...

// `registry_domain` is Reference::domain. Throws dct::Error with docker's text
// "valid https URL required for trust server, got <value>" for a bad flag (invalid_argument),
// environment variable or config value (config_invalid).
NotaryServer select_notary_server(std::string_view registry_domain,
                                  const std::optional<std::string>& server_flag = {},
                                  const NotaryConfig* notary_config = nullptr);

std::filesystem::path select_trust_dir(const std::optional<std::filesystem::path>& trust_dir_flag,
                                       const NotaryConfig* notary_config,
                                       const std::filesystem::path& docker_config_dir);

// https://host[:port][/path] without a trailing slash, or nullopt when not such a URL.
std::optional<std::string> normalize_https_url(std::string_view url);

}  // namespace dct::registry
