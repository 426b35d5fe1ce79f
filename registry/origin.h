#pragma once
// Where a URL points (scheme, host, port), as libcurl's URL parser reads it (url.h): the same
// parser the transport connects with, so a decision about a URL (may credentials or a client
// certificate go there?) is about the host the request really reaches.
#include <optional>
#include <string>
#include <string_view>

namespace dct::registry {

struct Origin {
  std::string scheme;  // lower-case
  std::string host;    // lower-case; an IPv6 address in brackets, with its zone id
  long port = 0;       // filled in from the scheme when the URL names none

  // "host" or "host:port" when the port is not the scheme's default: docker's key for the host
  // in config.json, and the name of its TLS directory.
  std::string host_port() const;
  std::string str() const;  // "https://" + host_port()
  bool operator==(const Origin&) const = default;
};

// nullopt for anything libcurl would not accept as an absolute URL with a host. With
// `default_https`, "host[:port]" without a scheme is an https origin.
std::optional<Origin> parse_origin(std::string_view url, bool default_https = false);
// Both parse and have the same scheme, host and port. Host names compare case-insensitively.
bool same_origin(std::string_view a, std::string_view b);

}  // namespace dct::registry
