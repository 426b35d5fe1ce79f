#pragma once
// Small URL helpers: percent-encoding, query strings and form bodies, host extraction.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dct::registry {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

std::string percent_encode(std::string_view s);  // everything but RFC 3986 unreserved characters
std::string form_encode(const QueryParams& params);  // a=b&c=d, both sides encoded
// Appends params to url with '?' or '&'.
std::string append_query(std::string_view url, const QueryParams& params);

struct UrlParts {
  std::string scheme;     // lower-case
  std::string host_port;  // as written: "host", "host:port", "[::1]:5000" (no user info)
  std::string path;       // "/..." or empty; no query or fragment
};
// Parses "scheme://authority[/path][?query][#fragment]"; false when there is no scheme or host.
bool split_url(std::string_view url, UrlParts& out);
std::string url_host_port(std::string_view url);  // "" when unparsable
// The URL without a trailing '/'.
std::string trim_trailing_slash(std::string_view url);

}  // namespace dct::registry
