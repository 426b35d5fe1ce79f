#pragma once
// Docker image references, parsed and normalized the way docker's reference library does:
//   alpine                      -> docker.io/library/alpine            (no tag: has_tag() false)
//   user/app:1.0                -> docker.io/user/app:1.0
//   myreg:5000/a/b@sha256:<hex> -> myreg:5000/a/b@sha256:<hex>
//   index.docker.io/x/y         -> docker.io/x/y
// A bare GUN ("docker.io/user/image") is a reference without tag and digest.
// Errors are dct::Error(invalid_reference). Safe on any input.
#include <string>
#include <string_view>

namespace dct::registry {

inline constexpr std::string_view kDockerHubDomain = "docker.io";
inline constexpr std::string_view kDockerHubRegistry = "https://registry-1.docker.io";
inline constexpr std::string_view kDockerHubCredentialsKey = "https://index.docker.io/v1/";
inline constexpr std::size_t kMaxNameLength = 255;  // domain + "/" + path

struct Reference {
  std::string domain;  // "docker.io", "myreg:5000", "localhost", "[::1]:5000"
  std::string path;    // "library/alpine": the repository path in registry URLs and scopes
  std::string tag;     // empty when the input named no tag
  std::string digest;  // "sha256:<hex>", empty when none

  bool has_tag() const noexcept { return !tag.empty(); }
  bool has_digest() const noexcept { return !digest.empty(); }
  bool is_docker_hub() const noexcept { return domain == kDockerHubDomain; }
  const std::string& tag_or_latest() const;  // the tag, or "latest" when none was given

  std::string gun() const;                // "docker.io/library/alpine": the notary GUN
  std::string familiar() const;           // "alpine", "user/app", "myreg:5000/a/b"
  std::string str() const;                // gun() + [":" tag] + ["@" digest]
  std::string familiar_str() const;       // familiar() + [":" tag] + ["@" digest]
  std::string registry_api_base() const;  // "https://registry-1.docker.io" or "https://<domain>"
  std::string credentials_key() const;    // "https://index.docker.io/v1/" or the domain

  bool operator==(const Reference&) const = default;
};

Reference parse_reference(std::string_view text);
// A repository name only (a GUN): a tag or digest is an error.
Reference parse_repository(std::string_view text);

bool is_valid_tag(std::string_view tag) noexcept;        // [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool is_valid_digest(std::string_view digest) noexcept;  // sha256:<64 hex>, sha384, sha512
bool is_valid_domain(std::string_view domain) noexcept;  // host[:port], host may be [IPv6]

std::string registry_api_base(std::string_view domain);
std::string credentials_key(std::string_view domain);
std::string normalize_domain(std::string_view domain);  // "index.docker.io" -> "docker.io"

}  // namespace dct::registry
