// ManifestClient against a fake registry: Accept header, digests, media types, errors.
#include <doctest/doctest.h>

#include <string>

#include "base/encoding.h"
#include "base/errors.h"
#include "registry/manifest.h"
#include "registry_test_server.h"

using namespace dct::registry;
using dct::test::HttpRequest;
using dct::test::Reply;
using dct::test::TestPki;
using dct::test::TestServer;

namespace {

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{}})";
const std::string kIndex = R"({"schemaVersion":2,"manifests":[]})";

std::string digest_of(const std::string& s) { return "sha256:" + dct::to_hex(dct::sha256(s)); }

Reply manifest_reply(const std::string& body, const std::string& type, bool with_digest = true) {
  Reply r;
  r.body = body;
  if (!type.empty()) r.headers.emplace_back("Content-Type", type);
  if (with_digest) r.headers.emplace_back("Docker-Content-Digest", digest_of(body));
  return r;
}

struct FakeRegistry {
  std::string last_accept;
  TestServer server{[this](const HttpRequest& req) { return handle(req); }};

  Reply handle(const HttpRequest& req) {
    const std::string p = req.path();
    if (p == "/v2/") return Reply::json(200, "{}");
    last_accept = req.header("Accept").value_or("");
    if (p == "/v2/team/app/manifests/v1") {
      return manifest_reply(kManifest, "application/vnd.docker.distribution.manifest.v2+json");
    }
    if (p == "/v2/team/app/manifests/" + digest_of(kManifest)) {
      return manifest_reply(kManifest, "application/vnd.docker.distribution.manifest.v2+json");
    }
    if (p == "/v2/team/app/manifests/index") {
      return manifest_reply(kIndex, "application/vnd.oci.image.index.v1+json; charset=utf-8");
    }
    if (p == "/v2/team/app/manifests/nodigest") return manifest_reply(kManifest, "", false);
    if (p == "/v2/team/app/manifests/lying") {
      Reply r = manifest_reply(kManifest, "application/vnd.oci.image.manifest.v1+json");
      r.headers.back().second = digest_of("something else");
      return r;
    }
    if (p == "/v2/team/app/manifests/" + digest_of("wanted")) {
      return manifest_reply(kManifest, "application/vnd.oci.image.manifest.v1+json", false);
    }
    if (p == "/v2/team/app/manifests/old") {
      return manifest_reply(R"({"schemaVersion":1,"signatures":[]})",
                            "application/vnd.docker.distribution.manifest.v1+prettyjws");
    }
    if (p == "/v2/team/app/manifests/old-untyped") {
      return manifest_reply(R"({"schemaVersion":1})", "application/json");
    }
    if (p == "/v2/team/app/manifests/weird") return manifest_reply("{}", "text/html");
    if (p == "/v2/team/app/manifests/huge") {
      return manifest_reply(std::string(5 * 1024 * 1024, ' '),
                            "application/vnd.oci.image.index.v1+json");
    }
    if (p.rfind("/v2/team/app/", 0) == 0) {
      return Reply::json(
          404, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})");
    }
    return Reply::json(
        404,
        R"({"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]})");
  }
};

ManifestClient client_for(Transport& transport, const FakeRegistry& reg) {
  AuthorizerOptions o;
  o.tls.ca_files.push_back(TestPki::get().ca_cert);
  return ManifestClient(std::make_shared<Authorizer>(transport, reg.server.url(), o));
}

dct::ErrorCode code_of(ManifestClient& c, const std::string& ref) {
  try {
    c.get("team/app", ref);
  } catch (const dct::Error& e) {
    return e.code();
  }
  return dct::ErrorCode::internal;
}

}  // namespace

TEST_CASE("manifest: by tag and by digest") {
  FakeRegistry reg;
  Transport transport;
  ManifestClient client = client_for(transport, reg);
  Manifest m = client.get("team/app", "v1");
  CHECK(m.media_type == "application/vnd.docker.distribution.manifest.v2+json");
  CHECK(m.body == kManifest);
  CHECK(m.length == kManifest.size());
  CHECK(m.digest == digest_of(kManifest));
  CHECK(m.sha256 == dct::sha256(kManifest));
  CHECK(reg.last_accept ==
        "application/vnd.docker.distribution.manifest.v2+json, "
        "application/vnd.docker.distribution.manifest.list.v2+json, "
        "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json");

  CHECK(client.get("team/app", digest_of(kManifest)).digest == digest_of(kManifest));
  CHECK(client.get("team/app", "index").media_type == "application/vnd.oci.image.index.v1+json");
  // No Content-Type and no digest header: the body's mediaType is used, the hash is ours.
  Manifest nd = client.get("team/app", "nodigest");
  CHECK(nd.media_type == "application/vnd.docker.distribution.manifest.v2+json");
  CHECK(nd.digest == digest_of(kManifest));

  Reference ref = parse_reference("localhost:5000/team/app:v1");
  CHECK(client.get(ref).digest == digest_of(kManifest));
}

TEST_CASE("manifest: digest mismatches are security errors") {
  FakeRegistry reg;
  Transport transport;
  ManifestClient client = client_for(transport, reg);
  try {
    client.get("team/app", "lying");
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::manifest_mismatch);
    CHECK(e.is_security());
  }
  CHECK(code_of(client, digest_of("wanted")) == dct::ErrorCode::manifest_mismatch);
}

TEST_CASE("manifest: refusals and not-found") {
  FakeRegistry reg;
  Transport transport;
  ManifestClient client = client_for(transport, reg);
  try {
    client.get("team/app", "old");
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::bad_response);
    CHECK(std::string(e.what()).find("schema 1") != std::string::npos);
  }
  CHECK_THROWS_WITH_AS(client.get("team/app", "old-untyped"), doctest::Contains("schema 1"),
                       dct::Error);
  CHECK_THROWS_WITH_AS(client.get("team/app", "weird"), doctest::Contains("media type"),
                       dct::Error);
  CHECK_THROWS_WITH_AS(client.get("team/app", "huge"), doctest::Contains("4 MiB"), dct::Error);
  CHECK(code_of(client, "missing") == dct::ErrorCode::tag_not_found);
  try {
    client.get("other/repo", "v1");
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::repository_not_found);
  }
  CHECK(code_of(client, "bad tag") == dct::ErrorCode::invalid_reference);
  CHECK(code_of(client, "sha256:abc") == dct::ErrorCode::invalid_reference);
}
