#include "registry/url.h"

#include "registry/headers.h"

namespace dct::registry {

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
  std::string out(url);
  if (params.empty()) return out;
  const auto hash = out.find('#');
  if (hash != std::string::npos) out.erase(hash);
  if (out.find('?') == std::string::npos) {
    out += '?';
  } else if (out.back() != '?' && out.back() != '&') {
    out += '&';
  }
  out += form_encode(params);
  return out;
}

bool split_url(std::string_view url, UrlParts& out) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  out.scheme = to_lower(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  const auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  if (authority.empty()) return false;
  out.host_port = std::string(authority);
  out.path.clear();
  if (end != std::string_view::npos && rest[end] == '/') {
    std::string_view path = rest.substr(end);
    out.path = std::string(path.substr(0, path.find_first_of("?#")));
  }
  return true;
}

std::string url_host_port(std::string_view url) {
  UrlParts parts;
  return split_url(url, parts) ? parts.host_port : std::string();
}

std::string trim_trailing_slash(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

}  // namespace dct::registry
