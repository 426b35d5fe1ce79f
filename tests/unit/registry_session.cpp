// Session: configuration wired into working notary and registry clients.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "base/encoding.h"
#include "registry/session.h"
#include "registry_test_server.h"

using namespace dct::registry;
using dct::test::HttpRequest;
using dct::test::Reply;
using dct::test::ScopedEnv;
using dct::test::TempDir;
using dct::test::TestPki;
using dct::test::TestServer;
using dct::test::write_file;

TEST_CASE("session: config dir, credentials, TLS dir and server selection work together") {
  const std::string manifest =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"})";
  TestServer server([&](const HttpRequest& req) {
    if (req.header("Authorization") != "Basic " + dct::base64_encode("alice:pw")) {
      Reply r = Reply::json(401, "{}");
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"x\"");
      return r;
    }
    if (req.path() == "/v2/") return Reply::json(200, "{}");
    if (req.path().find("/_trust/tuf/timestamp.json") != std::string::npos) {
      return Reply::json(200, "TS:" + req.path());
    }
    if (req.path() == "/v2/team/app/manifests/v1") {
      Reply r;
      r.body = manifest;
      r.headers.emplace_back("Content-Type", "application/vnd.oci.image.index.v1+json");
      return r;
    }
    return Reply::json(404, "{}");
  });
  TempDir cfg;
  TempDir certs;
  ScopedEnv certs_env("DCT_CERTS_D", certs.path().string());
  ScopedEnv server_env("DOCKER_CONTENT_TRUST_SERVER", std::nullopt);
  ScopedEnv auth_env("DOCKER_AUTH_CONFIG", std::nullopt);
  write_file(cfg / "config.json", R"({"auths": {")" + server.host_port() + R"(": {"auth": ")" +
                                      dct::base64_encode("alice:pw") + R"("}}})");
  write_file(cfg / ("tls/" + server.host_port() + "/ca.crt"), [] {
    std::ifstream in(TestPki::get().ca_cert);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }());
  write_file(cfg / "notary.json", "{}");

  SessionOptions opts;
  opts.config_dir = cfg.path();
  opts.notary_config = cfg / "notary.json";
  Transport transport;
  Session session(opts, transport);
  const Reference ref = parse_reference(server.host_port() + "/team/app:v1");

  CHECK(session.config_dir() == cfg.path());
  CHECK(session.trust_dir() == cfg / "trust");
  CHECK(session.notary_server(ref).url == server.url());
  CHECK(session.credentials(ref)->username == "alice");
  CHECK(session.notary_authorizer(ref) == session.notary_authorizer(ref));

  auto remote = session.notary_remote(ref);
  auto ts = remote->fetch({"timestamp.json", 1024});
  CHECK(ts.ok());
  CHECK(ts.body == "TS:/v2/" + server.host_port() + "/team/app/_trust/tuf/timestamp.json");

  Manifest m = session.manifest_client(ref).get(ref);
  CHECK(m.body == manifest);
  // Notary and registry are the same host here: one connection for everything.
  CHECK(server.connections() == 1);
}
