#include "registry/origin.h"

#include "registry/headers.h"
#include "registry/url.h"

namespace dct::registry {

namespace {

long scheme_default_port(std::string_view scheme) {
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  return 0;
}

}  // namespace

std::string Origin::host_port() const {
  if (port == scheme_default_port(scheme)) return host;
  return host + ":" + std::to_string(port);
}

std::string Origin::str() const { return scheme + "://" + host_port(); }

std::optional<Origin> parse_origin(std::string_view url, bool default_https) {
  const auto u = parse_url(url, default_https);
  if (!u) return std::nullopt;
  // A zone id names a network interface: its case is kept.
  const auto zone = u->host.find('%');
  std::string host = to_lower(u->host.substr(0, zone));
  if (zone != std::string::npos) host += u->host.substr(zone);
  return Origin{u->scheme, std::move(host), u->port_number};
}

bool same_origin(std::string_view a, std::string_view b) {
  const auto x = parse_origin(a);
  const auto y = parse_origin(b);
  return x && y && *x == *y;
}

}  // namespace dct::registry
