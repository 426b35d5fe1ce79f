// NotaryRemote against a fake notary-server: metadata fetches and their failure mapping,
// parallel fetches, key endpoints, multipart publish, delete, token scopes.
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <string>

#include "base/errors.h"
#include "registry/http_errors.h"
#include "registry/multipart.h"
#include "registry/notary_remote.h"
#include "registry_test_server.h"

using namespace dct::registry;
using dct::test::HttpRequest;
using dct::test::Reply;
using dct::test::TestPki;
using dct::test::TestServer;
using dct::trust::FetchRequest;
using dct::trust::FetchResult;

namespace {

constexpr const char* kGun = "localhost:5000/test/app";
const std::string kBase = std::string("/v2/") + kGun + "/_trust/tuf/";

TlsOptions test_tls() {
  TlsOptions tls;
  tls.ca_files.push_back(TestPki::get().ca_cert);
  return tls;
}

struct FakeNotary {
  std::mutex mutex;
  std::map<std::string, std::string> files;  // path under kBase -> body
  std::vector<std::string> token_scopes;
  bool token_auth = false;
  TestServer token_server{[this](const HttpRequest& req) {
    std::lock_guard lock(mutex);
    token_scopes.push_back(req.query("scope").value_or(""));
    return Reply::json(200, R"({"token":"t"})");
  }};
  TestServer server{[this](const HttpRequest& req) { return handle(req); }};

  Reply handle(const HttpRequest& req) {
    if (token_auth && req.header("Authorization") != "Bearer t") {
      Reply r = Reply::json(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"x"}]})");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"" + token_server.url("/token") +
                                                     "\",service=\"notary\"");
      return r;
    }
    const std::string path = req.path();
    if (path == "/v2/") return Reply::json(200, "{}");
    if (path.rfind(kBase, 0) != 0) return Reply::json(404, "{}");
    const std::string name = path.substr(kBase.size());
    if (req.method == "POST" && name.empty()) return publish(req);
    if (req.method == "DELETE" && name.empty()) return Reply::json(200, "");
    if (req.method == "POST" && name == "timestamp.key") {
      return Reply::json(200, R"({"keytype":"ecdsa","keyval":{"public":"NEW","private":null}})");
    }
    if (name == "timestamp.key") {
      return Reply::json(200, R"({"keytype":"ecdsa","keyval":{"public":"AAA","private":null}})");
    }
    if (name == "bogus.key") return Reply::json(200, "not a key");
    if (name == "big.json") {
      Reply r;
      r.body = std::string(5000, 'x');
      return r;
    }
    if (name == "stream.json") {
      Reply r;
      r.body = std::string(5000, 'x');
      r.omit_content_length = true;
      return r;
    }
    if (name == "truncated.json") {
      Reply r;
      r.body = "{\"sig";
      r.content_length = 100;
      return r;
    }
    if (name == "broken.json") {
      return Reply::json(500, R"({"errors":[{"code":"UNKNOWN","message":"database is down"}]})");
    }
    if (name == "private.json") return Reply::json(403, "{}");
    std::lock_guard lock(mutex);
    if (auto it = files.find(name); it != files.end()) return Reply::json(200, it->second);
    return Reply::json(404, R"({"errors":[{"code":"METADATA_NOT_FOUND","message":"x"}]})");
  }

  Reply publish(const HttpRequest& req) {
    const auto ct = req.header("Content-Type").value_or("");
    const std::string marker = "boundary=";
    const auto b = ct.find(marker);
    if (ct.rfind("multipart/form-data", 0) != 0 || b == std::string::npos) {
      return Reply::json(400, R"({"errors":[{"code":"MALFORMED_UPLOAD","message":"m"}]})");
    }
    const std::string boundary = "--" + ct.substr(b + marker.size());
    // Parse parts: headers, blank line, data, CRLF.
    std::size_t pos = req.body.find(boundary);
    std::map<std::string, std::string> uploaded;
    while (pos != std::string::npos) {
      pos += boundary.size();
      if (req.body.compare(pos, 2, "--") == 0) break;
      pos += 2;  // CRLF
      const auto head_end = req.body.find("\r\n\r\n", pos);
      const std::string head = req.body.substr(pos, head_end - pos);
      const auto next = req.body.find("\r\n" + boundary, head_end);
      const std::string data = req.body.substr(head_end + 4, next - head_end - 4);
      const auto fn = head.find("filename=\"");
      const std::string filename = head.substr(fn + 10, head.find('"', fn + 10) - fn - 10);
      if (head.find("name=\"files\"") == std::string::npos ||
          head.find("Content-Type: application/octet-stream") == std::string::npos) {
        return Reply::json(400, R"({"errors":[{"code":"NO_FILENAME","message":"m"}]})");
      }
      if (filename == "targets/stale")
        return Reply::json(
            400,
            R"({"errors":[{"code":"VERSION","message":"old version","detail":"snapshot version 3 is not newer"}]})");
      if (filename == "targets/nosnap")
        return Reply::json(
            400,
            R"({"errors":[{"code":"INVALID_UPDATE","message":"update is invalid","detail":{"Name":"ErrBadHierarchy","Missing":"snapshot","Error":{"Msg":"no snapshot"}}}]})");
      if (filename == "targets/fail") {
        return Reply::json(
            400,
            R"({"errors":[{"code":"INVALID_UPDATE","message":"update is invalid","detail":{"Name":"ErrBadTargets","Error":{"Msg":"bad signature"}}}]})");
      }
      uploaded[filename + ".json"] = data;
      pos = next + 2;
    }
    std::lock_guard lock(mutex);
    for (auto& [k, v] : uploaded) files[k] = v;
    return Reply::json(200, "");
  }
};

std::shared_ptr<Authorizer> authorizer_for(Transport& transport, const TestServer& server) {
  AuthorizerOptions o;
  o.tls = test_tls();
  o.tls_for_host = [](const std::string&) { return test_tls(); };
  o.credentials_key = server.host_port();
  return std::make_shared<Authorizer>(transport, server.url(), o);
}

}  // namespace

TEST_CASE("notary remote: metadata fetches and failure mapping") {
  FakeNotary notary;
  notary.files["timestamp.json"] = R"({"signed":{}})";
  Transport transport;
  NotaryRemote remote(authorizer_for(transport, notary.server), kGun);
  CHECK(remote.base_url() == notary.server.url(kBase));

  FetchResult ok = remote.fetch({"timestamp.json", 1024});
  CHECK(ok.ok());
  CHECK(ok.body == R"({"signed":{}})");

  FetchResult missing = remote.fetch({"root.json", 1024});
  CHECK(missing.status == FetchResult::Status::not_found);
  CHECK(missing.http_status == 404);
  // The ping and both fetches went over one connection. (Aborted transfers below close theirs.)
  CHECK(notary.server.connections() == 1);

  CHECK(remote.fetch({"big.json", 1000}).status == FetchResult::Status::too_large);
  CHECK(remote.fetch({"stream.json", 1000}).status == FetchResult::Status::too_large);
  CHECK(remote.fetch({"big.json", 5000}).ok());
  CHECK(remote.fetch({"big.json", 0}).ok());  // 0: notary's 100 MiB default

  FetchResult truncated = remote.fetch({"truncated.json", 1000});
  CHECK(truncated.status == FetchResult::Status::network_error);
  CHECK(truncated.error.find("truncated") != std::string::npos);

  FetchResult broken = remote.fetch({"broken.json", 1000});
  CHECK(broken.status == FetchResult::Status::http_error);
  CHECK(broken.http_status == 500);
  CHECK(broken.error.find("database is down") != std::string::npos);

  FetchResult denied = remote.fetch({"private.json", 1000});
  CHECK(denied.status == FetchResult::Status::http_error);
  CHECK(denied.http_status == 403);
  CHECK(denied.error.find(notary.server.host_port()) != std::string::npos);

  for (const char* bad : {"../x.json", "/abs.json", "a/../../b", "x?y", "x#y", "a b", "a//b",
                          "%2e%2e/x", "", "dir/"}) {
    FetchResult r = remote.fetch({bad, 100});
    CHECK(r.status == FetchResult::Status::http_error);
    CHECK(r.error.find("unsafe") != std::string::npos);
  }
}

TEST_CASE("notary remote: fetch_all is parallel, ordered, and shares the pool") {
  FakeNotary notary;
  for (int i = 0; i < 12; ++i) {
    notary.files["targets/d" + std::to_string(i) + ".json"] = "body" + std::to_string(i);
  }
  Transport transport;
  NotaryRemote remote(authorizer_for(transport, notary.server), kGun);
  std::vector<FetchRequest> reqs;
  for (int i = 0; i < 12; ++i) reqs.push_back({"targets/d" + std::to_string(i) + ".json", 100});
  reqs.push_back({"targets/none.json", 100});
  reqs.push_back({"../bad", 100});
  auto out = remote.fetch_all(reqs);
  REQUIRE(out.size() == 14);
  for (int i = 0; i < 12; ++i)
    CHECK(out[static_cast<std::size_t>(i)].body == "body" + std::to_string(i));
  CHECK(out[12].status == FetchResult::Status::not_found);
  CHECK(out[13].status == FetchResult::Status::http_error);
  CHECK(remote.fetch_all({}).empty());
}

TEST_CASE("notary remote: an unreachable server is a network error, not an exception") {
  Transport transport;
  std::shared_ptr<Authorizer> auth;
  {
    TestServer gone([](const HttpRequest&) { return Reply{}; });
    auth = authorizer_for(transport, gone);
  }
  NotaryRemote remote(auth, kGun);
  FetchResult r = remote.fetch({"timestamp.json", 100});
  CHECK(r.status == FetchResult::Status::network_error);
  CHECK_FALSE(r.error.empty());
  CHECK(remote.ping().status == PingResult::Status::unreachable);
  CHECK_THROWS_AS(remote.get_key("timestamp"), dct::Error);
}

TEST_CASE("notary remote: key endpoints") {
  FakeNotary notary;
  Transport transport;
  NotaryRemote remote(authorizer_for(transport, notary.server), kGun);
  CHECK(remote.get_key("timestamp").find("\"AAA\"") != std::string::npos);
  CHECK(remote.rotate_key("timestamp").find("\"NEW\"") != std::string::npos);
  CHECK_THROWS_WITH_AS(remote.get_key("bogus"), doctest::Contains("not a public key"), dct::Error);
  try {
    remote.get_key("snapshot");
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::key_not_found);
  }
}

TEST_CASE("notary remote: publish sends one multipart part per role") {
  FakeNotary notary;
  Transport transport;
  NotaryRemote remote(authorizer_for(transport, notary.server), kGun);
  remote.publish(
      {{"root", "R"}, {"targets", "T"}, {"targets/releases", "TR\r\n--x"}, {"snapshot", "S"}});
  std::lock_guard lock(notary.mutex);
  CHECK(notary.files["root.json"] == "R");
  CHECK(notary.files["targets.json"] == "T");
  CHECK(notary.files["targets/releases.json"] == "TR\r\n--x");
  CHECK(notary.files["snapshot.json"] == "S");
}

TEST_CASE("notary remote: publish errors carry notary's code and detail") {
  FakeNotary notary;
  Transport transport;
  NotaryRemote remote(authorizer_for(transport, notary.server), kGun);
  try {
    remote.publish({{"targets/fail", "x"}});
    FAIL("no error");
  } catch (const dct::Error& e) {
    const std::string msg = e.what();
    CHECK(e.code() == dct::ErrorCode::publish_rejected);
    CHECK(msg.find("rejected") != std::string::npos);
    CHECK(msg.find("INVALID_UPDATE") != std::string::npos);
    CHECK(msg.find("bad signature") != std::string::npos);
  }
  remote.delete_remote();
}

TEST_CASE("notary remote: publish rejections are typed by notary's error code, not its words") {
  FakeNotary notary;
  Transport transport;
  NotaryRemote remote(authorizer_for(transport, notary.server), kGun);
  auto code_of_publish = [&](const std::string& role) {
    try {
      remote.publish({{role, "x"}});
    } catch (const dct::Error& e) {
      return e.code();
    }
    FAIL("no error");
    return dct::ErrorCode::internal;
  };
  CHECK(code_of_publish("targets/stale") == dct::ErrorCode::publish_conflict);
  CHECK(code_of_publish("targets/nosnap") == dct::ErrorCode::snapshot_key_not_on_server);
  // ErrBadTargets mentions neither; a message that says "VERSION" or "snapshot" in its text
  // alone changes nothing.
  CHECK(code_of_publish("targets/fail") == dct::ErrorCode::publish_rejected);
}

TEST_CASE("server errors: the typed fields of a notary error body") {
  using dct::registry::publish_rejection;
  using dct::registry::server_errors;
  const auto e = server_errors(
      R"({"errors":[{"code":"INVALID_UPDATE","message":"VERSION snapshot","detail":{"Name":"ErrBadHierarchy","Missing":"snapshot"}},{"code":"UNKNOWN"}]})");
  REQUIRE(e.size() == 2);
  CHECK(e[0].code == "INVALID_UPDATE");
  CHECK(e[0].validation == "ErrBadHierarchy");
  CHECK(e[0].missing == "snapshot");
  CHECK(e[1].code == "UNKNOWN");
  CHECK(publish_rejection(e, false) == dct::ErrorCode::snapshot_key_not_on_server);
  // With a snapshot in the upload the server had no snapshot to make.
  CHECK(publish_rejection(e, true) == dct::ErrorCode::publish_rejected);
  const auto targets_missing = server_errors(
      R"({"errors":[{"code":"INVALID_UPDATE","message":"VERSION","detail":{"Name":"ErrBadHierarchy","Missing":"targets"}}]})");
  CHECK(publish_rejection(targets_missing, false) == dct::ErrorCode::publish_rejected);
  CHECK(publish_rejection(server_errors(R"({"errors":[{"code":"VERSION"}]})"), true) ==
        dct::ErrorCode::publish_conflict);
  CHECK(server_errors("not json").empty());
  CHECK(server_errors(R"({"errors":"x"})").empty());
  CHECK(publish_rejection({}, false) == dct::ErrorCode::publish_rejected);
}

TEST_CASE(
    "server errors: notary-signer's NotFound for the snapshot key, as notary-server says it") {
  using dct::registry::publish_rejection;
  using dct::registry::server_errors;
  // What notary-server with notary-signer answers when it holds no snapshot key for the GUN.
  const auto e = server_errors(
      R"({"errors":[{"code":"INVALID_UPDATE","message":"Update sent by the client is invalid.","detail":{"Error":{"Msg":"rpc error: code = NotFound desc = key c534 not found"},"Name":"ErrValidation"}}]})");
  REQUIRE(e.size() == 1);
  CHECK(e[0].rpc_code == "NotFound");
  CHECK(publish_rejection(e, false) == dct::ErrorCode::snapshot_key_not_on_server);
  CHECK(publish_rejection(e, true) == dct::ErrorCode::publish_rejected);
  const auto other = server_errors(
      R"({"errors":[{"code":"INVALID_UPDATE","detail":{"Error":{"Msg":"rpc error: code = Unavailable desc = x"},"Name":"ErrValidation"}}]})");
  REQUIRE(other.size() == 1);
  CHECK(other[0].rpc_code == "Unavailable");
  CHECK(publish_rejection(other, false) == dct::ErrorCode::publish_rejected);
}

TEST_CASE("notary remote: token scopes follow the operation") {
  FakeNotary notary;
  notary.token_auth = true;
  notary.files["timestamp.json"] = "ts";
  Transport transport;
  NotaryRemote remote(authorizer_for(transport, notary.server), kGun);
  CHECK(remote.fetch({"timestamp.json", 100}).body == "ts");
  remote.publish({{"targets", "T"}});
  remote.delete_remote();
  remote.set_read_actions(kPushPull);
  CHECK(remote.fetch({"timestamp.json", 100}).ok());
  std::lock_guard lock(notary.mutex);
  REQUIRE(notary.token_scopes.size() == 3);  // the last read reuses the push,pull token
  CHECK(notary.token_scopes[0] == "repository:localhost:5000/test/app:pull");
  CHECK(notary.token_scopes[1] == "repository:localhost:5000/test/app:push,pull");
  CHECK(notary.token_scopes[2] == "repository:localhost:5000/test/app:*");
}

TEST_CASE("multipart: layout") {
  Body b =
      multipart_form({{"files", "targets/releases", "application/octet-stream", "DATA"}}, "BOUND");
  CHECK(b.content_type == "multipart/form-data; boundary=BOUND");
  CHECK(b.data ==
        "--BOUND\r\nContent-Disposition: form-data; name=\"files\"; "
        "filename=\"targets/releases\"\r\nContent-Type: application/octet-stream\r\n\r\nDATA\r\n"
        "--BOUND--\r\n");
  CHECK_THROWS_AS(multipart_form({{"f", "n", "", "has BOUND inside"}}, "BOUND"), dct::Error);
  Body random = multipart_form({{"f", "a\"b", "", "x"}});
  CHECK(random.data.find("filename=\"a\\\"b\"") != std::string::npos);
}
