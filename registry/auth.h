#pragma once
// Authorization for one server (a registry or a notary server): the /v2/ ping and its challenge,
// Bearer tokens per scope (cached per realm, service and scope), Basic credentials, and one
// transparent retry when a request still gets a 401.
//
//   auto auth = std::make_shared<Authorizer>(Transport::shared(), "https://notary.example:4443",
//                                            AuthorizerOptions{tls, provider, key});
//   Response r = auth->perform(request, "repository:example.com/team/app:pull");
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/errors.h"
#include "registry/challenge.h"
#include "registry/credentials.h"
#include "registry/http.h"
#include "registry/token_cache.h"

namespace dct::registry {

// Asked at most once, and only when a server wants credentials. nullopt means anonymous.
using CredentialProvider = std::function<std::optional<Credential>()>;

// Scope strings for token requests.
std::string repository_scope(std::string_view name,
                             std::string_view actions);  // "repository:<n>:<a>"
inline constexpr std::string_view kPull = "pull";
inline constexpr std::string_view kPushPull = "push,pull";
inline constexpr std::string_view kAll = "*";

// How a challenge would be answered with credentials.
enum class CredentialUse {
  basic,  // Basic auth, to the server that asked
  token,  // a token request, to the realm the server named
};

// Which credentials one destination gets.
struct CredentialGrant {
  std::optional<Credential> credential;  // nullopt: ask anonymously
  std::string owner;                     // the config.json key they are stored under
  // Set when credentials exist but are kept from this destination: the sentence that says so,
  // naming it, and how to allow it.
  std::string withheld;
  std::string allow_hint;
};

// Decides per destination URL (the server for Basic, the realm for a token) which credentials
// go there.
using CredentialRouter = std::function<CredentialGrant(CredentialUse use, const std::string& url)>;

struct AuthorizerOptions {
  TlsOptions tls;  // for the server itself, client certificate included
  // TLS for a token server on another host, by the host[:port] its realm names; never the
  // server's client certificate. Empty: the system store.
  std::function<TlsOptions(const std::string& host_port)> tls_for_host;
  CredentialProvider credentials;  // empty: always anonymous
  std::string credentials_key;     // where credentials come from, for messages ("myreg:5000")
  // When set, decides who gets which credentials instead of `credentials` (a notary server,
  // which uses the registry's). Unset: `credentials` go to the server as Basic and to any https
  // realm it names, as docker does for a registry.
  CredentialRouter route;
  // Tokens kept between runs, and the realm this server named last time, so that the first
  // request carries a token. Null: tokens live for this run only.
  std::shared_ptr<TokenCache> token_cache;
  // Runs on a thread of its own while the first requests to a server whose challenge is not
  // known yet are in flight, for what answering a challenge may need (a notary server's
  // credential routing asks the registry for its realm): the answer need not wait for it. Must
  // not throw.
  std::function<void()> before_challenge;
};

struct PingResult {
  enum class Status {
    no_auth,            // 200: requests go out without Authorization
    challenged,         // 401 with challenges
    unexpected_status,  // anything else; requests go out without Authorization
    unreachable,        // transfer failed; `response` has the error
  };
  Status status = Status::unreachable;
  std::vector<Challenge> challenges;
  Response response;
  std::string message;  // one line for the user
};

class Authorizer {
 public:
  Authorizer(Transport& transport, std::string base_url, AuthorizerOptions options = {});

  const std::string& base_url() const noexcept { return base_url_; }
  const TlsOptions& tls() const noexcept { return options_.tls; }
  Transport& transport() noexcept { return transport_; }

  // GET <base>/v2/ and remember the challenges. perform() does not ping: its first 401
  // brings the challenge.
  PingResult ping();

  // The Authorization header value for `scope`, or nullopt when none is needed.
  // Throws dct::Error when the token server fails or refuses.
  std::optional<std::string> authorization(const std::string& scope);

  // Sends the request with the Authorization for `scope`. On a 401 the challenge of that
  // response replaces the cached one, the token is fetched again and the request retried once;
  // a second 401 is returned as is (see unauthorized_error). Transfer failures are returned in
  // the response; token server failures throw dct::Error.
  Response perform(Request request, const std::string& scope);
  std::vector<Response> perform_all(std::vector<Request> requests, const std::string& scope);

  // Whether credentials were sent (Basic, or a token obtained with them).
  bool used_credentials() const;
  // The error for a request that ended in 401/403: names the host, and says whether
  // credentials were used.
  Error unauthorized_error(const Response& r, std::string_view what) const;

 private:
  CredentialGrant grant_locked(CredentialUse use, const std::string& url);
  TlsOptions tls_for_realm(const std::string& realm) const;
  std::optional<std::string> authorization_locked(const std::string& scope);
  bool ensure_challenges(Response& failure);
  void apply(Request& r, const std::optional<std::string>& header) const;
  void remember_challenges_locked();
  void forget_rejected_locked(const std::optional<std::string>& sent);

  struct CachedToken {
    std::string token;
    std::chrono::steady_clock::time_point expires;
    TokenKey key;
  };

  Transport& transport_;
  std::string base_url_;
  std::string host_;
  AuthorizerOptions options_;
  mutable std::mutex mutex_;
  bool pinged_ = false;
  std::vector<Challenge> challenges_;
  bool credentials_asked_ = false;
  std::optional<Credential> credential_;
  std::optional<CredentialGrant> grant_;  // the last decision, for messages
  bool used_credentials_ = false;
  std::map<std::string, CachedToken> tokens_;  // realm \n service \n scope
};

}  // namespace dct::registry
