#include "registry/url.h"

#include <cstdlib>

#include "registry/curl_handles.h"
#include "registry/headers.h"

namespace dct::registry {

namespace {

curl::Url parsed_handle(std::string_view url, unsigned int flags = 0) {
  curl::ensure_global_init();
  curl::Url u(curl_url());
  if (!u) return u;
  const std::string text(url);
  if (text.empty() || text.find('\0') != std::string::npos ||
      curl_url_set(u.get(), CURLUPART_URL, text.c_str(), flags) != CURLUE_OK) {
    u.reset();
  }
  return u;
}

std::optional<std::string> url_part(CURLU* u, CURLUPart which, unsigned int flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(u, which, &raw, flags) != CURLUE_OK || raw == nullptr) return std::nullopt;
  curl::CurlString owned(raw);
  return std::string(owned.get());
}

}  // namespace

std::string ParsedUrl::authority() const { return port.empty() ? host : host + ":" + port; }

std::optional<ParsedUrl> parse_url(std::string_view url, bool default_https) {
  curl::Url u = parsed_handle(url, default_https ? CURLU_DEFAULT_SCHEME : 0);
  if (!u) return std::nullopt;
  auto scheme = url_part(u.get(), CURLUPART_SCHEME);
  auto host = url_part(u.get(), CURLUPART_HOST);
  auto port = url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || host->empty() || !port) return std::nullopt;
  ParsedUrl out;
  out.scheme = to_lower(*scheme);
  out.host = std::move(*host);
  if (auto zone = url_part(u.get(), CURLUPART_ZONEID); zone && out.host.back() == ']') {
    out.host.insert(out.host.size() - 1, "%25" + *zone);
  }
  char* end = nullptr;
  out.port_number = std::strtol(port->c_str(), &end, 10);
  if (end == port->c_str() || *end != '\0' || out.port_number <= 0 || out.port_number > 65535) {
    return std::nullopt;
  }
  out.port = url_part(u.get(), CURLUPART_PORT).value_or("");
  out.path = url_part(u.get(), CURLUPART_PATH).value_or("/");
  out.userinfo = url_part(u.get(), CURLUPART_USER).has_value() ||
                 url_part(u.get(), CURLUPART_PASSWORD).has_value() ||
                 url_part(u.get(), CURLUPART_OPTIONS).has_value();
  out.query = url_part(u.get(), CURLUPART_QUERY).has_value();
  out.fragment = url_part(u.get(), CURLUPART_FRAGMENT).has_value();
  return out;
}

std::string url_authority(std::string_view url) {
  const auto u = parse_url(url);
  return u ? u->authority() : std::string();
}

std::optional<std::string> resolve_location(std::string_view base, std::string_view location) {
  curl::Url u = parsed_handle(base);
  if (!u) return std::nullopt;
  const std::string text(location);
  if (text.empty() || text.find('\0') != std::string::npos ||
      curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  return url_part(u.get(), CURLUPART_URL);
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    }
  }
  return out;
}

std::string form_encode(const QueryParams& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += percent_encode(k);
    out += '=';
    out += percent_encode(v);
  }
  return out;
}

std::string append_query(std::string_view url, const QueryParams& params) {
  if (params.empty()) return std::string(url);
  curl::Url u = parsed_handle(url);
  if (!u) return {};
  // Joined as a relative reference "?query": libcurl keeps the percent-encoding as it is and
  // drops the fragment (setting CURLUPART_QUERY would lower-case the hex digits).
  std::string query = "?";
  if (const auto existing = url_part(u.get(), CURLUPART_QUERY); existing && !existing->empty()) {
    query += *existing;
    if (query.back() != '&') query += '&';
  }
  query += form_encode(params);
  if (curl_url_set(u.get(), CURLUPART_URL, query.c_str(), 0) != CURLUE_OK) return {};
  return url_part(u.get(), CURLUPART_URL).value_or("");
}

std::string trim_trailing_slash(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

}  // namespace dct::registry
