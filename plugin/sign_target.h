#pragma once
// The manifest a signature is for when its digest is known before the registry is asked: the
// digest (and size) `docker push` reported, or the one given as IMAGE:TAG@sha256:DIGEST. The
// registry is asked for those bytes by digest, and separately for what the tag points at now,
// so that a registry, or another pusher, that moved the tag cannot choose what gets signed.
#include <cstddef>
#include <optional>
#include <string>

#include "registry/manifest.h"
#include "registry/reference.h"

namespace dct::plugin {

struct ExpectedManifest {
  std::string digest;               // "sha256:<hex>"
  std::optional<std::size_t> size;  // when the one who named the digest also gave the size
  std::string named_by;             // for messages: "the manifest docker push reported"
};

// GET by digest. The body must hash to the digest (ManifestClient refuses otherwise) and have
// the expected size (manifest_mismatch). A registry without it: tag_not_found, saying whose
// digest it was.
registry::Manifest fetch_expected_manifest(registry::ManifestClient& manifests,
                                           const registry::Reference& ref,
                                           const ExpectedManifest& expected);

// The digest of what the registry serves for the reference's tag now; nullopt when it has no
// such tag.
std::optional<std::string> tag_digest_now(registry::ManifestClient& manifests,
                                          const registry::Reference& ref);

}  // namespace dct::plugin
