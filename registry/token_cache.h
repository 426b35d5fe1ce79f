#pragma once
// Bearer tokens kept between runs, so a command does not fetch a new token for every
// invocation: per realm, service and scope, until shortly before they expire, in
// <config dir>/dct/tokens.json (0600, directory 0700, written atomically). Each entry carries a
// hash of the credential identity it was obtained with (config key, kind and user name, never a
// secret); an entry whose identity no longer matches the credentials is never used and is
// replaced. Also remembers which token realm and service each server named in its Bearer
// challenge, so the first request of a run can carry a token instead of waiting for a 401.
//
// DCT_TOKEN_CACHE=0 turns the cache off (for_config_dir returns null).
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "registry/credentials.h"

namespace dct::registry {

using WallClock = std::chrono::system_clock;

struct TokenKey {
  std::string realm;
  std::string service;
  std::string scope;
  auto operator<=>(const TokenKey&) const = default;
};

struct BearerRealm {
  std::string realm;
  std::string service;
  bool operator==(const BearerRealm&) const = default;
};

// A cached token is used only while more than this is left of its life.
inline constexpr std::chrono::seconds kTokenCacheMargin{30};
// How long a token lives when neither the response nor the token says (docker's default).
inline constexpr std::chrono::seconds kDefaultTokenLifetime{60};

// A hex SHA-256 of who a token was obtained as: the config key the credentials are stored
// under, their kind and the user name; "anonymous" without credentials. Never a secret.
std::string credential_identity(const std::optional<Credential>& credential,
                                std::string_view owner);

// The "exp" claim of a JWT (seconds since the epoch), or nullopt for an opaque token.
std::optional<WallClock::time_point> jwt_expiry(std::string_view token);

// When a token received at `now` expires: `expires_in` as the server stated it, the JWT's
// "exp" when earlier or when no expires_in was stated, else kDefaultTokenLifetime.
WallClock::time_point token_expiry(std::string_view token,
                                   std::optional<std::chrono::seconds> expires_in,
                                   WallClock::time_point now);

class TokenCache {
 public:
  explicit TokenCache(std::filesystem::path file);

  // The cache of a docker config dir, or null when DCT_TOKEN_CACHE is "0", "false" or "off".
  static std::shared_ptr<TokenCache> for_config_dir(const std::filesystem::path& config_dir);
  static std::filesystem::path file_in(const std::filesystem::path& config_dir);

  const std::filesystem::path& file() const noexcept { return file_; }

  struct Hit {
    std::string token;
    WallClock::time_point expires;
  };
  // A token for `key` obtained as `identity` with more than kTokenCacheMargin left. An entry
  // obtained as someone else removes every token of that realm and service not obtained as
  // `identity`.
  std::optional<Hit> find(const TokenKey& key, const std::string& identity,
                          WallClock::time_point now = WallClock::now());
  // Keeps the token (replacing any entry for the key, whatever its identity) unless it has
  // less than kTokenCacheMargin left; expired entries are removed on the way.
  void store(const TokenKey& key, const std::string& identity, const std::string& token,
             WallClock::time_point expires, WallClock::time_point now = WallClock::now());
  void drop(const TokenKey& key);

  std::optional<BearerRealm> realm_of(const std::string& server_url);
  // nullopt: the server no longer asks for Bearer tokens.
  void remember_realm(const std::string& server_url, const std::optional<BearerRealm>& realm);

 private:
  struct Entry {
    std::string identity;
    std::string token;
    std::int64_t expires = 0;  // seconds since the epoch
  };
  struct State {
    std::map<TokenKey, Entry> tokens;
    std::map<std::string, BearerRealm> servers;
  };
  State read_file() const;
  void write_file(const State& state) const;
  void load_locked();
  // Re-reads the file (another process may have written it), applies `change`, writes it.
  template <typename Change>
  void update_locked(Change change);

  std::filesystem::path file_;
  std::mutex mutex_;
  bool loaded_ = false;
  State state_;
};

}  // namespace dct::registry
