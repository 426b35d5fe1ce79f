#include "registry/auth.h"

#include <future>

#include "base/encoding.h"
#include "registry/headers.h"
#include "registry/http_errors.h"
#include "registry/origin.h"
#include "registry/token.h"
#include "registry/url.h"

namespace dct::registry {

namespace {

constexpr auto kTokenMargin = std::chrono::seconds(5);
constexpr auto kPingTimeout = std::chrono::seconds(5);

const Challenge* find_scheme(const std::vector<Challenge>& cs, std::string_view scheme) {
  for (const auto& c : cs) {
    if (c.is(scheme)) return &c;
  }
  return nullptr;
}

}  // namespace

std::string repository_scope(std::string_view name, std::string_view actions) {
  return "repository:" + std::string(name) + ":" + std::string(actions);
}

Authorizer::Authorizer(Transport& transport, std::string base_url, AuthorizerOptions options)
    : transport_(transport),
      base_url_(trim_trailing_slash(base_url)),
      host_(url_authority(base_url_)),
      options_(std::move(options)) {}

PingResult Authorizer::ping() {
  Request r;
  r.url = base_url_ + "/v2/";
  r.tls = options_.tls;
  r.max_body = 64 * kKiB;
  Timeouts t = transport_.options().timeouts;
  t.total = kPingTimeout;  // as docker: a server that doesn't answer the ping soon is "offline"
  r.timeouts = t;
  Response resp = transport_.perform(r);
  PingResult out;
  if (!resp.completed() && !(resp.error == TransferError::too_large && resp.status != 0)) {
    out.status = PingResult::Status::unreachable;
    out.message = transfer_error(resp, "GET " + r.url).what();
  } else if (resp.status >= 200 && resp.status < 300) {
    out.status = PingResult::Status::no_auth;
    out.message = host_ + " needs no authentication";
  } else if (resp.status == 401) {
    out.status = PingResult::Status::challenged;
    out.challenges = parse_www_authenticate(resp.headers.get_all("WWW-Authenticate"));
    out.message = host_ + " asks for authentication";
  } else {
    out.status = PingResult::Status::unexpected_status;
    out.message = "GET " + r.url + " answered HTTP " + std::to_string(resp.status);
  }
  {
    std::lock_guard lock(mutex_);
    if (out.status != PingResult::Status::unreachable) {
      pinged_ = true;
      challenges_ = out.challenges;
      remember_challenges_locked();
    }
  }
  out.response = std::move(resp);
  return out;
}

bool Authorizer::ensure_challenges(Response& failure) {
  {
    std::lock_guard lock(mutex_);
    if (pinged_) return true;
  }
  PingResult p = ping();
  if (p.status != PingResult::Status::unreachable) return true;
  failure = std::move(p.response);
  failure.error_message = p.message;
  return false;
}

CredentialGrant Authorizer::grant_locked(CredentialUse use, const std::string& url) {
  if (options_.route) return options_.route(use, url);
  if (!credentials_asked_) {
    credentials_asked_ = true;
    if (options_.credentials) credential_ = options_.credentials();
  }
  return CredentialGrant{credential_, options_.credentials_key, {}, {}};
}

TlsOptions Authorizer::tls_for_realm(const std::string& realm) const {
  if (same_origin(realm, base_url_)) return options_.tls;
  // The directory of the host libcurl will connect to, by the same parser.
  const auto origin = parse_origin(realm);
  if (!origin || !options_.tls_for_host) return {};
  return options_.tls_for_host(origin->host_port());
}

std::optional<std::string> Authorizer::authorization_locked(const std::string& scope) {
  if (const Challenge* bearer = find_scheme(challenges_, "bearer")) {
    const auto realm = bearer->param("realm");
    if (!realm || realm->empty()) {
      throw Error(ErrorCode::bad_response, host_ + " sent a Bearer challenge without a realm");
    }
    const std::string service = bearer->param("service").value_or("");
    const std::string key = *realm + "\n" + service + "\n" + scope;
    const TokenKey token_key{*realm, service, scope};
    const auto now = std::chrono::steady_clock::now();
    if (auto it = tokens_.find(key);
        it != tokens_.end() && now + kTokenMargin < it->second.expires) {
      return "Bearer " + it->second.token;
    }
    grant_ = grant_locked(CredentialUse::token, *realm);
    std::string identity;
    if (options_.token_cache) {
      identity = credential_identity(grant_->credential, grant_->owner);
      if (auto hit = options_.token_cache->find(token_key, identity)) {
        if (grant_->credential) used_credentials_ = true;
        const auto left = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            hit->expires - WallClock::now());
        tokens_[key] = CachedToken{hit->token, now + left, token_key};
        return "Bearer " + hit->token;
      }
    }
    TokenRequest tr;
    tr.realm = *realm;
    tr.service = service;
    if (!scope.empty()) tr.scopes.push_back(scope);
    tr.credential = grant_->credential;
    tr.tls = tls_for_realm(*realm);
    BearerToken token;
    try {
      token = fetch_token(transport_, tr);
    } catch (const Error& e) {
      if (e.code() == ErrorCode::unauthorized && !grant_->withheld.empty()) {
        throw Error(ErrorCode::credentials_withheld,
                    std::string(e.what()) + "; " + grant_->withheld, grant_->allow_hint);
      }
      if (e.code() == ErrorCode::credentials_invalid && !grant_->owner.empty()) {
        throw Error(e.code(), std::string(e.what()) + " for " + grant_->owner, e.hint());
      }
      if (e.code() == ErrorCode::tls_failure && !same_origin(*realm, base_url_)) {
        throw Error(e.code(), e.what(),
                    "the token server is checked with its own TLS settings: put its CA "
                    "certificate into <config dir>/tls/" +
                        parse_origin(*realm)->host_port() + "/");
      }
      throw;
    }
    if (tr.credential) used_credentials_ = true;
    tokens_[key] = CachedToken{token.token, now + token.expires_in, token_key};
    if (options_.token_cache) {
      options_.token_cache->store(
          token_key, identity, token.token,
          token_expiry(token.token, token.stated_expires_in, WallClock::now()));
    }
    return "Bearer " + token.token;
  }
  if (find_scheme(challenges_, "basic")) {
    grant_ = grant_locked(CredentialUse::basic, base_url_);
    const auto& c = grant_->credential;
    if (c && c->has_password()) {
      used_credentials_ = true;
      return "Basic " + base64_encode(c->username + ":" + c->password);
    }
  }
  return std::nullopt;
}

std::optional<std::string> Authorizer::authorization(const std::string& scope) {
  Response failure;
  if (!ensure_challenges(failure)) throw transfer_error(failure, "GET " + base_url_ + "/v2/");
  std::lock_guard lock(mutex_);
  return authorization_locked(scope);
}

void Authorizer::apply(Request& r, const std::optional<std::string>& header) const {
  if (!same_origin(r.url, base_url_)) return;  // never hand credentials to another host
  if (header) {
    r.headers.set("Authorization", *header);
  } else {
    r.headers.remove("Authorization");
  }
}

Response Authorizer::perform(Request request, const std::string& scope) {
  std::vector<Request> one;
  one.push_back(std::move(request));
  return std::move(perform_all(std::move(one), scope).front());
}

std::vector<Response> Authorizer::perform_all(std::vector<Request> requests,
                                              const std::string& scope) {
  if (requests.empty()) return {};
  // No /v2/ ping first: the requests go out as they are, and a 401 brings the challenge
  // (one round trip less per server when no authentication is needed). After a 401 the
  // challenge is read again and the token fetched anew, once for requests that were sent
  // with an Authorization header (twice when the first try had none).
  // A server whose Bearer realm is remembered from an earlier run gets a token with the first
  // request (a kept one when there is one).
  bool known = false;
  std::optional<std::string> header;
  {
    std::lock_guard lock(mutex_);
    if (!pinged_ && options_.token_cache) {
      if (auto remembered = options_.token_cache->realm_of(base_url_)) {
        Challenge c;
        c.scheme = "bearer";
        c.params.emplace_back("realm", remembered->realm);
        if (!remembered->service.empty()) c.params.emplace_back("service", remembered->service);
        challenges_ = {std::move(c)};
        try {
          header = authorization_locked(scope);
          pinged_ = true;
        } catch (const Error&) {
          // The server may have changed since (no auth now, another token service): forget
          // what was remembered and let its own answer say what it wants.
          options_.token_cache->remember_realm(base_url_, std::nullopt);
          challenges_.clear();
          grant_.reset();
        }
      }
    }
    known = pinged_;
    if (known && !header) header = authorization_locked(scope);
  }
  for (auto& r : requests) apply(r, header);
  std::future<void> early;
  if (!known && options_.before_challenge)
    early = std::async(std::launch::async, options_.before_challenge);
  std::vector<Response> out = transport_.perform_all(requests);
  if (early.valid()) early.get();
  bool answered = false;
  for (const auto& r : out) answered = answered || r.completed();
  if (answered && !known) {
    std::lock_guard lock(mutex_);
    pinged_ = true;
  }

  for (int retries = known ? 1 : 2; retries > 0; --retries) {
    std::vector<std::size_t> again;
    for (std::size_t i = 0; i < out.size(); ++i)
      if (out[i].completed() && out[i].status == 401) again.push_back(i);
    if (again.empty()) break;
    const std::optional<std::string> sent = header;
    {
      std::lock_guard lock(mutex_);
      auto fresh = parse_www_authenticate(out[again.front()].headers.get_all("WWW-Authenticate"));
      if (!fresh.empty()) {
        challenges_ = std::move(fresh);
        remember_challenges_locked();
      }
      forget_rejected_locked(sent);
      tokens_.clear();
      header = authorization_locked(scope);
    }
    if (!header && !sent) break;  // nothing to answer the challenge with
    std::vector<Request> retry;
    retry.reserve(again.size());
    for (std::size_t i : again) {
      retry.push_back(requests[i]);
      apply(retry.back(), header);
    }
    std::vector<Response> second = transport_.perform_all(retry);
    for (std::size_t k = 0; k < again.size(); ++k) out[again[k]] = std::move(second[k]);
  }
  if (header && options_.token_cache) {
    for (const auto& r : out) {
      if (r.completed() && r.status == 401) {
        std::lock_guard lock(mutex_);
        forget_rejected_locked(header);  // refused after the one retry: not kept for next time
        break;
      }
    }
  }
  return out;
}

void Authorizer::remember_challenges_locked() {
  if (!options_.token_cache) return;
  const Challenge* bearer = find_scheme(challenges_, "bearer");
  if (bearer == nullptr) {
    if (!challenges_.empty()) options_.token_cache->remember_realm(base_url_, std::nullopt);
    return;
  }
  const auto realm = bearer->param("realm");
  if (!realm || realm->empty()) return;
  options_.token_cache->remember_realm(base_url_,
                                       BearerRealm{*realm, bearer->param("service").value_or("")});
}

void Authorizer::forget_rejected_locked(const std::optional<std::string>& sent) {
  if (!sent || !options_.token_cache) return;
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    if ("Bearer " + it->second.token == *sent) {
      options_.token_cache->drop(it->second.key);
      it = tokens_.erase(it);
    } else {
      ++it;
    }
  }
}

bool Authorizer::used_credentials() const {
  std::lock_guard lock(mutex_);
  return used_credentials_;
}

Error Authorizer::unauthorized_error(const Response& r, std::string_view what) const {
  std::lock_guard lock(mutex_);
  std::string message =
      std::string(what) + ": " + host_ + " answered HTTP " + std::to_string(r.status);
  std::string key = options_.credentials_key.empty() ? host_ : options_.credentials_key;
  if (grant_ && !grant_->owner.empty()) key = grant_->owner;
  std::string hint;
  ErrorCode code = ErrorCode::unauthorized;
  if (used_credentials_) {
    message += " although the credentials for " + key + " were sent";
    hint = "check that this account may access the repository";
  } else if (grant_ && !grant_->withheld.empty()) {
    message += "; " + grant_->withheld;
    hint = grant_->allow_hint;
    code = ErrorCode::credentials_withheld;
  } else if (grant_ && !grant_->credential) {
    message += "; no credentials were found for " + key;
    hint = "log in with `docker login " + key + "`";
  } else {
    message += "; no credentials were sent";
  }
  if (const std::string detail = error_summary(r.body); !detail.empty()) {
    message += " (" + detail + ")";
  }
  return Error(code, message, hint);
}

}  // namespace dct::registry
