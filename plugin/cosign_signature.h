#pragma once
// sigstore ("cosign") image signatures as cosign stores them in a registry: a simple-signing
// payload signed with ECDSA P-256, the payload a layer of an OCI image manifest tagged
// sha256-<hex>.sig next to the image, the base64 DER signature in the layer's annotation.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dct::plugin {

inline constexpr std::string_view kCosignPayloadMediaType =
    "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view kCosignSignatureAnnotation = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view kOciConfigMediaType = "application/vnd.oci.image.config.v1+json";

// Where the trust a signature carries over came from, kept in the payload's "optional" section.
struct TrustOrigin {
  std::string server;  // the notary server's URL
  std::string role;    // "targets/releases" or "targets"
  std::string tag;
  std::vector<std::string> signers;
};

// The simple-signing payload bytes (compact JSON) for `digest` ("sha256:<hex>") of `repository`.
std::string cosign_payload(std::string_view repository, std::string_view digest,
                           const TrustOrigin& origin);

// "sha256-<hex>.sig" for "sha256:<hex>".
std::string cosign_signature_tag(std::string_view digest);

struct CosignLayer {
  std::string payload_digest;  // "sha256:<hex>"
  std::size_t payload_size = 0;
  std::string signature;  // base64 of the DER signature
};

// The layers of an existing signature manifest (only those of the simple-signing media type
// with a signature annotation). Throws dct::Error(bad_response) when `manifest` is not an OCI
// image manifest.
std::vector<CosignLayer> cosign_layers(std::string_view manifest);

struct SignatureManifest {
  std::string manifest;  // the OCI image manifest bytes
  std::string config;    // the config blob it names
};

// `existing` (when there is a signature manifest already) with `layer` added after its layers,
// and a config listing every layer; a new manifest otherwise. Everything else of `existing`
// (annotations, other layers) is kept.
SignatureManifest add_cosign_layer(const std::optional<std::string>& existing,
                                   const CosignLayer& layer);

}  // namespace dct::plugin
