#pragma once
// Writing to a registry (distribution API v2): blobs by monolithic upload (POST, then PUT with
// the digest) and manifests by tag, with push scope from the registry's Authorizer.
#include <memory>
#include <string>
#include <string_view>

#include "registry/auth.h"

namespace dct::registry {

class RegistryWriter {
 public:
  // `auth` is the Authorizer for the registry API base (Reference::registry_api_base()).
  explicit RegistryWriter(std::shared_ptr<Authorizer> auth);

  // HEAD /v2/<path>/blobs/<digest>: true when the registry has it.
  bool has_blob(std::string_view path, std::string_view digest);
  // Uploads `data` unless the registry has it already; returns its "sha256:<hex>". Throws
  // dct::Error: unauthorized, bad_response (the registry stored other bytes), network errors.
  std::string upload_blob(std::string_view path, std::string_view data);
  // PUT /v2/<path>/manifests/<tag>; returns the digest the registry reports, which must be the
  // body's own (else manifest_mismatch).
  std::string put_manifest(std::string_view path, std::string_view tag, std::string_view media_type,
                           std::string_view body);

 private:
  std::string scope(std::string_view path) const;
  std::shared_ptr<Authorizer> auth_;
};

}  // namespace dct::registry
