// cosign signature manifests: the simple-signing payload, the signature tag, and adding a
// layer to a signature manifest that is already there without losing what it held.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "error_code_of.h"
#include "plugin/cosign_signature.h"

using namespace dct::plugin;
using dct::ErrorCode;
using dct::test::code_of;

namespace {

const std::string kCosignTestDigest =
    "sha256:e80ded64c707c328e0836144483c5a31ca6a345ac6fdc977d6222fe74cc31fe2";

CosignLayer cosign_test_layer(const std::string& payload, const std::string& signature) {
  return {"sha256:" + dct::to_hex(dct::sha256(payload)), payload.size(), signature};
}

}  // namespace

TEST_CASE("the payload is a cosign simple-signing document recording where trust came from") {
  TrustOrigin origin{
      "https://notary.example", "targets/releases", "1.4", {"targets/releases", "targets"}};
  const std::string payload = cosign_payload("reg.example/team/app", kCosignTestDigest, origin);
  const auto j = nlohmann::json::parse(payload);
  CHECK(j["critical"]["identity"]["docker-reference"] == "reg.example/team/app");
  CHECK(j["critical"]["image"]["docker-manifest-digest"] == kCosignTestDigest);
  CHECK(j["critical"]["type"] == "cosign container image signature");
  CHECK(j["optional"]["dev.dct.notary/server"] == "https://notary.example");
  CHECK(j["optional"]["dev.dct.notary/role"] == "targets/releases");
  CHECK(j["optional"]["dev.dct.notary/signers"] == "targets/releases,targets");
  CHECK(payload.find('\n') == std::string::npos);
  // The same input gives the same bytes: a re-run can recognise its own payload.
  CHECK(payload == cosign_payload("reg.example/team/app", kCosignTestDigest, origin));
  CHECK(payload != cosign_payload("reg.example/team/other", kCosignTestDigest, origin));
}

TEST_CASE("signatures live under sha256-<hex>.sig") {
  CHECK(cosign_signature_tag(kCosignTestDigest) ==
        "sha256-e80ded64c707c328e0836144483c5a31ca6a345ac6fdc977d6222fe74cc31fe2.sig");
}

TEST_CASE("a new signature manifest is an OCI image manifest with one annotated layer") {
  const auto sm = add_cosign_layer(std::nullopt, cosign_test_layer("{}", "MEUC"));
  const auto m = nlohmann::json::parse(sm.manifest);
  CHECK(m["schemaVersion"] == 2);
  CHECK(m["mediaType"] == "application/vnd.oci.image.manifest.v1+json");
  CHECK(m["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json");
  CHECK(m["config"]["digest"] == "sha256:" + dct::to_hex(dct::sha256(sm.config)));
  CHECK(m["config"]["size"] == sm.config.size());
  REQUIRE(m["layers"].size() == 1);
  CHECK(m["layers"][0]["mediaType"] == "application/vnd.dev.cosign.simplesigning.v1+json");
  CHECK(m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"] == "MEUC");
  const auto c = nlohmann::json::parse(sm.config);
  CHECK(c["rootfs"]["diff_ids"] == nlohmann::json::array({m["layers"][0]["digest"]}));
}

TEST_CASE("adding to a signature manifest keeps its layers and annotations") {
  auto first = add_cosign_layer(std::nullopt, cosign_test_layer("{\"a\":1}", "c2lnMQ=="));
  auto doc = nlohmann::ordered_json::parse(first.manifest);
  doc["annotations"]["org.example/kept"] = "yes";
  doc["layers"].push_back({{"mediaType", "application/vnd.example.other"},
                           {"digest", "sha256:" + std::string(64, '0')},
                           {"size", 3}});
  const auto second = add_cosign_layer(doc.dump(), cosign_test_layer("{\"b\":2}", "c2lnMg=="));
  const auto m = nlohmann::json::parse(second.manifest);
  CHECK(m["annotations"]["org.example/kept"] == "yes");
  REQUIRE(m["layers"].size() == 3);
  CHECK(m["layers"][1]["mediaType"] == "application/vnd.example.other");
  const auto layers = cosign_layers(second.manifest);
  REQUIRE(layers.size() == 2);  // the foreign layer is not a cosign signature
  CHECK(layers[0].signature == "c2lnMQ==");
  CHECK(layers[1].signature == "c2lnMg==");
  CHECK(layers[1].payload_size == 7);
  const auto c = nlohmann::json::parse(second.config);
  CHECK(c["rootfs"]["diff_ids"].size() == 3);
  CHECK(second.config != first.config);
}

TEST_CASE("a signature tag holding something else is not written over") {
  const std::string index =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})";
  CHECK(code_of([&] { add_cosign_layer(index, cosign_test_layer("{}", "x")); }) ==
        ErrorCode::bad_response);
  CHECK(code_of([&] { cosign_layers("not json"); }) == ErrorCode::bad_response);
  CHECK(code_of([&] { cosign_layers(R"({"schemaVersion":1})"); }) == ErrorCode::bad_response);
}
