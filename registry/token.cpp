#include "registry/token.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/errors.h"
#include "registry/http_errors.h"
#include "registry/origin.h"
#include "registry/url.h"

namespace dct::registry {

namespace {

constexpr std::size_t kMaxTokenResponse = 1 * kMiB;
constexpr std::string_view kClientId = "docker";

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

Request get_request(const TokenRequest& tr, bool with_password) {
  QueryParams q;
  if (!tr.service.empty()) q.emplace_back("service", tr.service);
  for (const auto& s : tr.scopes) q.emplace_back("scope", s);
  Request r;
  if (with_password) {
    q.emplace_back("account", tr.credential->username);
    r.headers.add("Authorization", "Basic " + base64_encode(tr.credential->username + ":" +
                                                            tr.credential->password));
  }
  r.url = append_query(tr.realm, q);
  r.tls = tr.tls;
  r.max_body = kMaxTokenResponse;
  return r;
}

Request refresh_request(const TokenRequest& tr) {
  QueryParams form{{"grant_type", "refresh_token"},
                   {"refresh_token", tr.credential->identity_token},
                   {"client_id", std::string(kClientId)}};
  if (!tr.service.empty()) form.emplace_back("service", tr.service);
  if (!tr.scopes.empty()) form.emplace_back("scope", join_scopes(tr.scopes));
  Request r;
  r.method = Method::post;
  r.url = tr.realm;
  r.body = Body{form_encode(form), "application/x-www-form-urlencoded"};
  r.tls = tr.tls;
  r.max_body = kMaxTokenResponse;
  r.follow_redirects = false;
  return r;
}

}  // namespace

BearerToken parse_token_response(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    throw Error(ErrorCode::bad_response, "the token server's answer is not a JSON object");
  }
  BearerToken out;
  for (const char* field : {"access_token", "token"}) {
    auto it = doc.find(field);
    if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
      out.token = it->get<std::string>();
      break;
    }
  }
  if (out.token.empty()) {
    throw Error(ErrorCode::bad_response, "the token server's answer holds no token");
  }
  if (auto it = doc.find("expires_in"); it != doc.end() && it->is_number()) {
    const double seconds = it->get<double>();
    if (seconds > 0 && seconds < 1e9)
      out.stated_expires_in = std::chrono::seconds(static_cast<long>(seconds));
    if (seconds > 60 && seconds < 1e9)
      out.expires_in = std::chrono::seconds(static_cast<long>(seconds));
  }
  return out;
}

BearerToken fetch_token(Transport& transport, const TokenRequest& tr) {
  const auto realm = parse_origin(tr.realm);
  if (!realm || realm->scheme != "https") {
    throw Error(ErrorCode::bad_response,
                "the auth challenge names a token realm that is not an https URL: \"" +
                    tr.realm.substr(0, 200) + "\"");
  }
  const bool has_token = tr.credential && tr.credential->has_identity_token();
  const bool has_password = tr.credential && tr.credential->has_password();
  const std::string host = realm->host_port();
  const std::string what = "token request to " + host;
  // Credentials were granted to the realm's host: the request must go there and nowhere else.
  auto send = [&](const Request& request) {
    if (parse_origin(request.url) != realm) {
      throw Error(ErrorCode::bad_response,
                  "the token realm \"" + tr.realm.substr(0, 200) + "\" is not a usable URL");
    }
    return transport.perform(request);
  };

  Response r;
  if (has_token) {
    r = send(refresh_request(tr));
    if (r.completed() && r.status == 404) {
      r = send(get_request(tr, has_password));  // OAuth not supported: plain GET
    }
  } else {
    r = send(get_request(tr, has_password));
  }
  if (!r.completed()) throw transfer_error(r, what);
  if (r.status == 401 || r.status == 403) {
    if (has_token || has_password) {
      throw Error(ErrorCode::credentials_invalid,
                  "the token server " + host + " rejected the stored credentials (HTTP " +
                      std::to_string(r.status) + ")",
                  "log in again with `docker login`");
    }
    throw Error(ErrorCode::unauthorized,
                "the token server " + host + " refused anonymous access (HTTP " +
                    std::to_string(r.status) + ")",
                "log in with `docker login`");
  }
  if (r.status != 200) throw status_error(r, what);
  return parse_token_response(r.body);
}

}  // namespace dct::registry
