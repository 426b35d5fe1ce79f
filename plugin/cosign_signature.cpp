#include "plugin/cosign_signature.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/errors.h"
#include "registry/manifest.h"

namespace dct::plugin {

std::string cosign_payload(std::string_view repository, std::string_view digest,
                           const TrustOrigin& origin) {
  // Field order as cosign writes it; the optional values are strings, as cosign annotations are.
  nlohmann::ordered_json p;
  p["critical"]["identity"]["docker-reference"] = repository;
  p["critical"]["image"]["docker-manifest-digest"] = digest;
  p["critical"]["type"] = "cosign container image signature";
  auto& optional = p["optional"];
  optional["dev.dct.notary/server"] = origin.server;
  optional["dev.dct.notary/role"] = origin.role;
  optional["dev.dct.notary/tag"] = origin.tag;
  std::string signers;
  for (const auto& s : origin.signers) signers += (signers.empty() ? "" : ",") + s;
  optional["dev.dct.notary/signers"] = signers.empty() ? origin.role : signers;
  return p.dump();
}

std::string cosign_signature_tag(std::string_view digest) {
  std::string tag(digest);
  if (auto colon = tag.find(':'); colon != std::string::npos) tag[colon] = '-';
  return tag + ".sig";
}

namespace {

nlohmann::ordered_json parse_oci_manifest(std::string_view manifest) {
  auto doc = nlohmann::ordered_json::parse(manifest, nullptr, false);
  const bool ok = doc.is_object() && doc.value("schemaVersion", 0) == 2 &&
                  doc.value("mediaType", std::string(registry::kMediaTypeOciManifest)) ==
                      registry::kMediaTypeOciManifest &&
                  (!doc.contains("layers") || doc["layers"].is_array());
  if (!ok)
    throw Error(ErrorCode::bad_response,
                "the signature tag holds something other than an OCI image manifest",
                "look at it with `docker buildx imagetools inspect --raw`; dct adds signatures "
                "only to cosign signature manifests");
  return doc;
}

std::string cosign_config_for(const nlohmann::ordered_json& layers) {
  // What cosign writes: an empty image config whose rootfs lists each layer's digest.
  nlohmann::ordered_json diff_ids = nlohmann::ordered_json::array();
  nlohmann::ordered_json history = nlohmann::ordered_json::array();
  for (const auto& l : layers) {
    diff_ids.push_back(l.value("digest", ""));
    history.push_back({{"created", "0001-01-01T00:00:00Z"}});
  }
  nlohmann::ordered_json c;
  c["architecture"] = "";
  c["created"] = "0001-01-01T00:00:00Z";
  c["history"] = history;
  c["os"] = "";
  c["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  c["config"] = nlohmann::ordered_json::object();
  return c.dump();
}

}  // namespace

std::vector<CosignLayer> cosign_layers(std::string_view manifest) {
  const auto doc = parse_oci_manifest(manifest);
  std::vector<CosignLayer> out;
  if (!doc.contains("layers")) return out;
  for (const auto& l : doc["layers"]) {
    if (!l.is_object() || l.value("mediaType", "") != kCosignPayloadMediaType) continue;
    const auto ann = l.find("annotations");
    if (ann == l.end() || !ann->is_object()) continue;
    const auto sig = ann->find(std::string(kCosignSignatureAnnotation));
    if (sig == ann->end() || !sig->is_string() || !l["digest"].is_string()) continue;
    CosignLayer c;
    c.payload_digest = l["digest"].get<std::string>();
    c.payload_size = l.value("size", std::size_t{0});
    c.signature = sig->get<std::string>();
    out.push_back(std::move(c));
  }
  return out;
}

SignatureManifest add_cosign_layer(const std::optional<std::string>& existing,
                                   const CosignLayer& layer) {
  nlohmann::ordered_json doc;
  if (existing) {
    doc = parse_oci_manifest(*existing);
  } else {
    doc["schemaVersion"] = 2;
    doc["mediaType"] = registry::kMediaTypeOciManifest;
    doc["config"] = nlohmann::ordered_json::object();
    doc["layers"] = nlohmann::ordered_json::array();
  }
  if (!doc.contains("layers")) doc["layers"] = nlohmann::ordered_json::array();
  nlohmann::ordered_json l;
  l["mediaType"] = kCosignPayloadMediaType;
  l["size"] = layer.payload_size;
  l["digest"] = layer.payload_digest;
  l["annotations"][std::string(kCosignSignatureAnnotation)] = layer.signature;
  doc["layers"].push_back(l);

  SignatureManifest out;
  out.config = cosign_config_for(doc["layers"]);
  doc["config"] = {{"mediaType", kOciConfigMediaType},
                   {"size", out.config.size()},
                   {"digest", "sha256:" + to_hex(sha256(out.config))}};
  out.manifest = doc.dump();
  return out;
}

}  // namespace dct::plugin
