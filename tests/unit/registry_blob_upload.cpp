// RegistryWriter against a fake registry: monolithic blob uploads (POST, then PUT with the
// digest to the Location given), blobs already there left alone, manifests put by tag, and a
// registry that stores something else.
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <string>

#include "base/encoding.h"
#include "base/errors.h"
#include "registry/blob_upload.h"
#include "registry_test_server.h"

using namespace dct::registry;
using dct::test::HttpRequest;
using dct::test::Reply;
using dct::test::TestPki;
using dct::test::TestServer;

namespace {

std::string blob_digest_of(const std::string& s) { return "sha256:" + dct::to_hex(dct::sha256(s)); }

struct FakeWritableRegistry {
  std::mutex mutex;
  std::map<std::string, std::string> blobs;
  std::map<std::string, std::pair<std::string, std::string>> manifests;  // tag -> type, body
  std::string report_manifest_digest;                                    // lie when set
  int fail_put_status = 0;
  std::string location = "/v2/team/app/blobs/uploads/u1?_state=abc";
  TestServer server{[this](const HttpRequest& req) { return handle(req); }};

  Reply handle(const HttpRequest& req) {
    std::lock_guard lock(mutex);
    const std::string p = req.path();
    if (p == "/v2/") return Reply::json(200, "{}");
    const std::string blobs_prefix = "/v2/team/app/blobs/";
    if (req.method == "HEAD" && p.rfind(blobs_prefix, 0) == 0) {
      return blobs.count(p.substr(blobs_prefix.size())) ? Reply{} : Reply::json(404, "");
    }
    if (req.method == "POST" && p == "/v2/team/app/blobs/uploads/") {
      Reply r;
      r.status = 202;
      r.headers.emplace_back("Location", location);
      return r;
    }
    if (req.method == "PUT" && p == "/v2/team/app/blobs/uploads/u1") {
      if (fail_put_status) return Reply::json(fail_put_status, "{}");
      if (req.query("_state") != "abc") return Reply::json(400, "{}");
      const auto digest = req.query("digest").value_or("");
      if (digest != blob_digest_of(req.body))
        return Reply::json(400, R"({"errors":[{"code":"DIGEST_INVALID","message":"bad"}]})");
      blobs[digest] = req.body;
      Reply r;
      r.status = 201;
      r.headers.emplace_back("Docker-Content-Digest", digest);
      return r;
    }
    const std::string manifests_prefix = "/v2/team/app/manifests/";
    if (req.method == "PUT" && p.rfind(manifests_prefix, 0) == 0) {
      manifests[p.substr(manifests_prefix.size())] = {req.header("Content-Type").value_or(""),
                                                      req.body};
      Reply r;
      r.status = 201;
      r.headers.emplace_back("Docker-Content-Digest", report_manifest_digest.empty()
                                                          ? blob_digest_of(req.body)
                                                          : report_manifest_digest);
      return r;
    }
    return Reply::json(404, "{}");
  }
};

RegistryWriter writer_for(Transport& transport, const FakeWritableRegistry& reg) {
  AuthorizerOptions o;
  o.tls.ca_files.push_back(TestPki::get().ca_cert);
  return RegistryWriter(std::make_shared<Authorizer>(transport, reg.server.url(), o));
}

}  // namespace

TEST_CASE("blob upload: POST, then PUT with the digest; a blob already there is not sent") {
  FakeWritableRegistry reg;
  Transport transport;
  RegistryWriter w = writer_for(transport, reg);
  const std::string payload = R"({"critical":{}})";
  CHECK_FALSE(w.has_blob("team/app", blob_digest_of(payload)));
  CHECK(w.upload_blob("team/app", payload) == blob_digest_of(payload));
  CHECK(reg.blobs.at(blob_digest_of(payload)) == payload);
  CHECK(w.has_blob("team/app", blob_digest_of(payload)));

  const int before = reg.server.requests();
  CHECK(w.upload_blob("team/app", payload) == blob_digest_of(payload));
  CHECK(reg.server.requests() == before + 1);  // a HEAD only
}

TEST_CASE("blob upload: a refused upload is an error naming the registry's reason") {
  FakeWritableRegistry reg;
  reg.fail_put_status = 500;
  Transport transport;
  RegistryWriter w = writer_for(transport, reg);
  try {
    w.upload_blob("team/app", "x");
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::server_error);
  }
  reg.fail_put_status = 403;
  try {
    w.upload_blob("team/app", "x");
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::unauthorized);
  }
}

TEST_CASE("manifest put: by tag with its media type; another stored digest is refused") {
  FakeWritableRegistry reg;
  Transport transport;
  RegistryWriter w = writer_for(transport, reg);
  const std::string body = R"({"schemaVersion":2})";
  const std::string type = "application/vnd.oci.image.manifest.v1+json";
  CHECK(w.put_manifest("team/app", "sha256-ab.sig", type, body) == blob_digest_of(body));
  CHECK(reg.manifests.at("sha256-ab.sig") == std::make_pair(type, body));

  reg.report_manifest_digest = blob_digest_of("other");
  try {
    w.put_manifest("team/app", "v1", type, body);
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::manifest_mismatch);
  }
  try {
    w.put_manifest("team/app", "bad tag", type, body);
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::invalid_reference);
  }
}

TEST_CASE("blob upload: an upload sent to another host is refused, credentials stay home") {
  FakeWritableRegistry reg;
  reg.location = "https://elsewhere.example/v2/team/app/blobs/uploads/u1?_state=abc";
  Transport transport;
  RegistryWriter w = writer_for(transport, reg);
  try {
    w.upload_blob("team/app", "x");
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::bad_response);
    CHECK(std::string(e.what()).find("elsewhere.example") != std::string::npos);
  }
  reg.location = reg.server.url("/v2/team/app/blobs/uploads/u1?_state=abc");
  CHECK(w.upload_blob("team/app", "x") == blob_digest_of("x"));
}
