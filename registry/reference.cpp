#include "registry/reference.h"

#include "base/errors.h"

namespace dct::registry {

namespace {

bool is_lower_alnum(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) noexcept { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_word(char c) noexcept { return is_alnum(c) || c == '_'; }
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_lower_hex(char c) noexcept { return is_digit(c) || (c >= 'a' && c <= 'f'); }

bool has_upper(std::string_view s) noexcept {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// A shortened, printable copy of user input for error messages.
std::string shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 128)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  if (s.size() > 128) out += "...";
  return out;
}

[[noreturn]] void fail(std::string message) {
  throw Error(ErrorCode::invalid_reference, std::move(message),
              "image references look like [REGISTRY/]NAME[:TAG][@DIGEST], e.g. alpine:3.20 or "
              "myregistry:5000/team/app:1.0");
}

// domain-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_domain_component(std::string_view s) noexcept {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

bool is_host_name(std::string_view s) noexcept {
  if (s.empty()) return false;
  while (true) {
    const auto dot = s.find('.');
    if (!is_domain_component(s.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}

// path-component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
bool is_path_component(std::string_view s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto alnum_run = [&] {
    const std::size_t start = i;
    while (i < n && is_lower_alnum(s[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < n) {
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < n && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < n && s[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnum_run()) return false;
  }
  return true;
}

bool is_path(std::string_view s) noexcept {
  if (s.empty()) return false;
  while (true) {
    const auto slash = s.find('/');
    if (!is_path_component(s.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    s.remove_prefix(slash + 1);
  }
}

// Docker's rule: the first component is a registry when it has a "." or ":", is "localhost",
// or has upper-case letters (repository paths can't).
std::pair<std::string, std::string> split_domain(std::string_view name) {
  const auto slash = name.find('/');
  std::string domain;
  std::string rest;
  if (slash == std::string_view::npos) {
    domain = kDockerHubDomain;
    rest = name;
  } else {
    const std::string_view first = name.substr(0, slash);
    const bool looks_like_host = first.find_first_of(".:") != std::string_view::npos ||
                                 first == "localhost" || has_upper(first);
    if (looks_like_host) {
      domain = first;
      rest = name.substr(slash + 1);
    } else {
      domain = kDockerHubDomain;
      rest = name;
    }
  }
  domain = normalize_domain(domain);
  if (domain == kDockerHubDomain && rest.find('/') == std::string::npos) {
    rest = "library/" + rest;
  }
  return {domain, rest};
}

bool is_identifier(std::string_view s) noexcept {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!is_lower_hex(c)) return false;
  }
  return true;
}

}  // namespace

bool is_valid_tag(std::string_view tag) noexcept {
  if (tag.empty() || tag.size() > 128 || !is_word(tag.front())) return false;
  for (char c : tag) {
    if (!is_word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool is_valid_digest(std::string_view digest) noexcept {
  const auto colon = digest.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view algorithm = digest.substr(0, colon);
  const std::string_view hex = digest.substr(colon + 1);
  std::size_t want = 0;
  if (algorithm == "sha256") {
    want = 64;
  } else if (algorithm == "sha384") {
    want = 96;
  } else if (algorithm == "sha512") {
    want = 128;
  } else {
    return false;
  }
  if (hex.size() != want) return false;
  for (char c : hex) {
    if (!is_lower_hex(c)) return false;
  }
  return true;
}

bool is_valid_domain(std::string_view domain) noexcept {
  std::string_view host = domain;
  std::string_view port;
  if (!domain.empty() && domain.front() == '[') {
    const auto close = domain.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : domain.substr(1, close - 1)) {
      if (!is_hex(c) && c != ':') return false;
    }
    std::string_view after = domain.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return false;
      port = after.substr(1);
      if (port.empty()) return false;
    }
    host = {};
  } else {
    const auto colon = domain.find(':');
    if (colon != std::string_view::npos) {
      host = domain.substr(0, colon);
      port = domain.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (!is_host_name(host)) return false;
  }
  for (char c : port) {
    if (!is_digit(c)) return false;
  }
  return true;
}

std::string normalize_domain(std::string_view domain) {
  if (domain == "index.docker.io") return std::string(kDockerHubDomain);
  return std::string(domain);
}

std::string registry_api_base(std::string_view domain) {
  const std::string d = normalize_domain(domain);
  if (d == kDockerHubDomain) return std::string(kDockerHubRegistry);
  return "https://" + d;
}

std::string credentials_key(std::string_view domain) {
  const std::string d = normalize_domain(domain);
  if (d == kDockerHubDomain || d == "registry-1.docker.io") {
    return std::string(kDockerHubCredentialsKey);
  }
  return d;
}

const std::string& Reference::tag_or_latest() const {
  static const std::string latest = "latest";
  return tag.empty() ? latest : tag;
}

std::string Reference::gun() const { return domain + "/" + path; }

std::string Reference::familiar() const {
  if (!is_docker_hub()) return gun();
  constexpr std::string_view library = "library/";
  if (path.compare(0, library.size(), library) == 0 &&
      path.find('/', library.size()) == std::string::npos) {
    return path.substr(library.size());
  }
  return path;
}

namespace {
std::string with_suffixes(std::string name, const Reference& r) {
  if (r.has_tag()) name += ":" + r.tag;
  if (r.has_digest()) name += "@" + r.digest;
  return name;
}
}  // namespace

std::string Reference::str() const { return with_suffixes(gun(), *this); }
std::string Reference::familiar_str() const { return with_suffixes(familiar(), *this); }
std::string Reference::registry_api_base() const { return registry::registry_api_base(domain); }
std::string Reference::credentials_key() const { return registry::credentials_key(domain); }

Reference parse_reference(std::string_view text) {
  if (text.empty()) {
    fail("invalid reference format: repository name must have at least one component");
  }
  if (is_identifier(text)) {
    fail("invalid repository name (" + std::string(text) +
         "), cannot specify 64-byte hexadecimal strings");
  }

  // NAME[:TAG][@DIGEST]: the name can't hold '@'; a ':' after the last '/' starts the tag.
  std::string_view name = text;
  std::string_view digest;
  if (const auto at = text.find('@'); at != std::string_view::npos) {
    name = text.substr(0, at);
    digest = text.substr(at + 1);
    if (digest.empty()) fail("invalid reference format: empty digest in \"" + shown(text) + "\"");
  }
  std::string_view tag;
  bool has_tag_separator = false;
  {
    const auto colon = name.rfind(':');
    const auto slash = name.rfind('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
      tag = name.substr(colon + 1);
      name = name.substr(0, colon);
      has_tag_separator = true;
    }
  }
  if (name.empty()) {
    fail("invalid reference format: repository name must have at least one component");
  }

  auto [domain, path] = split_domain(name);
  if (has_upper(path)) {
    fail("invalid reference format: repository name (" + shown(path) + ") must be lowercase");
  }
  if (!is_valid_domain(domain)) {
    fail("invalid reference format: bad registry host \"" + shown(domain) + "\" in \"" +
         shown(text) + "\"");
  }
  if (!is_path(path)) {
    fail("invalid reference format: bad repository name \"" + shown(path) +
         "\" (lower-case letters, digits and . _ __ - separators, components split by /)");
  }
  if (domain.size() + 1 + path.size() > kMaxNameLength) {
    fail("repository name must not be more than 255 characters");
  }
  if (has_tag_separator && !is_valid_tag(tag)) {
    fail("invalid reference format: bad tag \"" + shown(tag) +
         "\" (up to 128 letters, digits, _ . -; not starting with . or -)");
  }
  if (!digest.empty() && !is_valid_digest(digest)) {
    fail("invalid reference format: bad digest \"" + shown(digest) +
         "\" (expected sha256: and 64 lower-case hex digits)");
  }

  Reference ref;
  ref.domain = std::move(domain);
  ref.path = std::move(path);
  ref.tag = std::string(tag);
  ref.digest = std::string(digest);
  return ref;
}

Reference parse_repository(std::string_view text) {
  Reference ref = parse_reference(text);
  if (ref.has_tag() || ref.has_digest()) {
    fail("\"" + shown(text) + "\" is not a repository name: it has a tag or digest");
  }
  return ref;
}

}  // namespace dct::registry
