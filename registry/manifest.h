#pragma once
// Fetching an image manifest from a registry to learn what gets signed: the sha256 and byte
// length of the exact manifest bytes (docker schema 2 manifest or list, OCI manifest or index).
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "registry/auth.h"
#include "registry/reference.h"

namespace dct::registry {

inline constexpr std::string_view kMediaTypeDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kMediaTypeDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kMediaTypeOciManifest =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kMediaTypeOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::size_t kMaxManifestSize = 4 * kMiB;

struct Manifest {
  std::string media_type;  // one of the four above
  std::string digest;      // "sha256:<hex>" of the body as received
  std::string sha256;      // the same 32 bytes, raw (what a TUF target's hashes.sha256 holds)
  std::size_t length = 0;  // byte length of the body
  std::string body;
};

class ManifestClient {
 public:
  // `auth` is the Authorizer for the registry API base (Reference::registry_api_base()).
  explicit ManifestClient(std::shared_ptr<Authorizer> auth);

  // GET /v2/<path>/manifests/<tag or digest>. Throws dct::Error: tag_not_found /
  // repository_not_found, unauthorized, manifest_mismatch (Docker-Content-Digest or the
  // requested digest differs from the body's digest: a security error), bad_response (schema 1,
  // unknown media type, too large), network errors.
  Manifest get(std::string_view path, std::string_view tag_or_digest);
  // By digest when the reference has one, else by tag (latest when none).
  Manifest get(const Reference& ref);

 private:
  std::shared_ptr<Authorizer> auth_;
};

}  // namespace dct::registry
