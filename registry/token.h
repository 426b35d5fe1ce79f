#pragma once
// The token server side of registry/notary auth (distribution's token and OAuth specs):
//   GET  <realm>?service=S&scope=X[&account=U]      Basic auth when a password is known
//   POST <realm>  grant_type=refresh_token&...      when the credential is an identity token
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/credentials.h"
#include "registry/http.h"

namespace dct::registry {

struct TokenRequest {
  std::string realm;                // https URL from the Bearer challenge
  std::string service;              // from the challenge; may be empty
  std::vector<std::string> scopes;  // "repository:<name>:pull[,push]"
  std::optional<Credential> credential;
  TlsOptions tls;  // the TLS settings of the service that asked (docker reuses its transport)
};

struct BearerToken {
  std::string token;
  std::chrono::seconds expires_in{60};                    // for this run: at least 60 s, as docker
  std::optional<std::chrono::seconds> stated_expires_in;  // as the server said, when it did
};

// Parses a token response: "access_token" (preferred) or "token", and "expires_in" (at least
// 60 s). Throws dct::Error(bad_response).
BearerToken parse_token_response(std::string_view body);

// Throws dct::Error: credentials_invalid (credentials rejected), unauthorized (anonymous access
// refused), network/TLS errors, bad_response.
BearerToken fetch_token(Transport& transport, const TokenRequest& request);

}  // namespace dct::registry
