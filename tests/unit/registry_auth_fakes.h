#pragma once
// TEST ONLY. A token server and a service (registry or notary server) that asks for tokens or
// Basic auth, on in-process HTTPS servers, for the auth unit tests.
#include <atomic>
#include <string>

#include "registry/http.h"
#include "registry_test_server.h"
#include "trust/encoding.h"

namespace dct::test {

inline registry::TlsOptions test_tls() {
  registry::TlsOptions tls;
  tls.ca_files.push_back(TestPki::get().ca_cert);
  return tls;
}

inline Reply unauthorized(const std::string& challenge) {
  Reply r = Reply::json(
      401, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
  r.headers.emplace_back("WWW-Authenticate", challenge);
  return r;
}

// A token server: hands out "tok-<n>" and records what it was asked.
struct FakeTokenServer {
  explicit FakeTokenServer(ServerOptions options = {})
      : server([this](const HttpRequest& req) { return handle(req); }, options) {}
  std::atomic<int> issued{0};
  std::string require_user;  // when set, Basic auth must be this user with password "pw"
  bool oauth = true;         // POST supported
  int expires_in = 300;
  TestServer server;

  Reply handle(const HttpRequest& req) {
    if (req.method == "POST") {
      if (!oauth) return Reply::json(404, "{}");
      if (req.body.find("grant_type=refresh_token") == std::string::npos ||
          req.body.find("refresh_token=idtok") == std::string::npos ||
          req.body.find("client_id=docker") == std::string::npos) {
        return Reply::json(401, "{}");
      }
      return Reply::json(200, R"({"access_token":"oauth-)" + std::to_string(++issued) +
                                  R"(","expires_in":)" + std::to_string(expires_in) + "}");
    }
    if (!require_user.empty()) {
      const std::string want = "Basic " + base64_encode(require_user + ":pw");
      if (req.header("Authorization") != want) return Reply::json(401, "{}");
    }
    return Reply::json(200, R"({"token":"tok-)" + std::to_string(++issued) + R"(","expires_in":)" +
                                std::to_string(expires_in) + "}");
  }
  std::string realm() const { return server.url("/token"); }
};

// A service (registry/notary) that wants "Bearer tok-*" / "Bearer oauth-*" on /v2/repo/*, or
// Basic alice:pw when its challenge is Basic.
struct FakeService {
  explicit FakeService(ServerOptions options = {})
      : server([this](const HttpRequest& req) { return handle(req); }, options) {}
  std::string challenge;
  std::string reject_token;  // this token is refused once (then accepted)
  bool always_401 = false;
  std::atomic<int> pings{0};
  TestServer server;

  Reply handle(const HttpRequest& req) {
    if (req.path() == "/v2/") {
      ++pings;
      return challenge.empty() ? Reply::json(200, "{}") : unauthorized(challenge);
    }
    if (challenge.empty()) return Reply::json(200, R"({"ok":true})");
    const std::string auth = req.header("Authorization").value_or("");
    if (always_401 || auth.empty()) return unauthorized(challenge);
    if (!reject_token.empty() && auth == "Bearer " + reject_token) {
      reject_token.clear();
      return unauthorized(challenge);
    }
    if (challenge.rfind("Basic", 0) == 0) {
      if (auth != "Basic " + base64_encode("alice:pw")) return unauthorized(challenge);
    } else if (auth.rfind("Bearer ", 0) != 0) {
      return unauthorized(challenge);
    }
    return Reply::json(200, "{\"auth\":\"" + auth + "\"}");
  }
};

inline registry::Request service_get(const FakeService& svc, const std::string& path) {
  registry::Request r;
  r.url = svc.server.url(path);
  r.tls = test_tls();
  return r;
}

inline std::string bearer_challenge(const FakeTokenServer& ts, const std::string& extra = "") {
  return R"(Bearer realm=")" + ts.realm() + R"(",service="svc")" + extra;
}

}  // namespace dct::test
