#pragma once
// URLs as libcurl's URL API (curl_url) reads them: the parser the transport connects with, so
// every split, join and host comparison is about the host a request really reaches. Also the
// percent-encoding of query strings and form bodies.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dct::registry {

struct ParsedUrl {
  std::string scheme;    // lower-case
  std::string host;      // as libcurl reads it; an IPv6 address in brackets with its zone id
  std::string port;      // as libcurl reads it; empty when the URL names none
  long port_number = 0;  // the port connected to: `port`, or the scheme's default
  std::string path;      // "/" at least
  bool userinfo = false;
  bool query = false;
  bool fragment = false;

  // "host" or "host:port" as the URL names them (docker's url.Host).
  std::string authority() const;
};

// nullopt for anything libcurl would not accept as an absolute URL with a host. With
// `default_https`, "host[:port]" without a scheme reads as https.
std::optional<ParsedUrl> parse_url(std::string_view url, bool default_https = false);
std::string url_authority(std::string_view url);  // ParsedUrl::authority(), "" when unparsable

// A reference (absolute, "//host/..." or "/path") resolved against `base`, as libcurl follows
// a Location header.
std::optional<std::string> resolve_location(std::string_view base, std::string_view location);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

std::string percent_encode(std::string_view s);  // everything but RFC 3986 unreserved characters
std::string form_encode(const QueryParams& params);  // a=b&c=d, both sides encoded
// `url` with params added to its query and its fragment dropped; "" when it is no URL.
std::string append_query(std::string_view url, const QueryParams& params);

// The URL without a trailing '/'.
std::string trim_trailing_slash(std::string_view url);

}  // namespace dct::registry
