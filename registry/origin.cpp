#include "registry/origin.h"

#include <cstdlib>

#include "registry/curl_handles.h"
#include "registry/headers.h"

namespace dct::registry {

namespace {

curl::Url parsed(std::string_view url) {
  curl::ensure_global_init();
  curl::Url u(curl_url());
  if (!u) return u;
  const std::string text(url);
  if (text.find('\0') != std::string::npos ||
      curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    u.reset();
  }
  return u;
}

std::optional<std::string> part(CURLU* u, CURLUPart which, unsigned int flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(u, which, &raw, flags) != CURLUE_OK || raw == nullptr) return std::nullopt;
  curl::CurlString owned(raw);
  return std::string(owned.get());
}

long default_port(std::string_view scheme) {
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  return 0;
}

}  // namespace

std::string Origin::host_port() const {
  if (port == default_port(scheme)) return host;
  return host + ":" + std::to_string(port);
}

std::string Origin::str() const { return scheme + "://" + host_port(); }

std::optional<Origin> parse_origin(std::string_view url) {
  curl::Url u = parsed(url);
  if (!u) return std::nullopt;
  auto scheme = part(u.get(), CURLUPART_SCHEME);
  auto host = part(u.get(), CURLUPART_HOST);
  auto port = part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || host->empty() || !port) return std::nullopt;
  Origin o;
  o.scheme = to_lower(*scheme);
  o.host = to_lower(*host);
  char* end = nullptr;
  o.port = std::strtol(port->c_str(), &end, 10);
  if (end == port->c_str() || *end != '\0' || o.port <= 0 || o.port > 65535) return std::nullopt;
  return o;
}

bool same_origin(std::string_view a, std::string_view b) {
  const auto x = parse_origin(a);
  const auto y = parse_origin(b);
  return x && y && *x == *y;
}

std::optional<std::string> resolve_location(std::string_view base, std::string_view location) {
  curl::Url u = parsed(base);
  if (!u) return std::nullopt;
  const std::string text(location);
  if (text.empty() || text.find('\0') != std::string::npos ||
      curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  return part(u.get(), CURLUPART_URL);
}

}  // namespace dct::registry
