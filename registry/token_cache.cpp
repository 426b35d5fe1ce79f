#include "registry/token_cache.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <system_error>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/files.h"

namespace dct::registry {

namespace {

constexpr std::size_t kMaxTokenCacheBytes = 4u << 20;
constexpr int kTokenCacheVersion = 1;

std::int64_t epoch_seconds(WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

WallClock::time_point from_epoch_seconds(std::int64_t s) {
  return WallClock::time_point(std::chrono::seconds(s));
}

// base64url without padding (RFC 7515) to bytes.
std::optional<std::string> base64url_decode(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0) s += '=';
  return base64_decode(s);
}

bool cache_disabled_by_env() {
  const char* env = std::getenv("DCT_TOKEN_CACHE");
  if (env == nullptr) return false;
  const std::string v(env);
  return v == "0" || v == "false" || v == "off" || v == "no";
}

}  // namespace

std::string credential_identity(const std::optional<Credential>& credential,
                                std::string_view owner) {
  std::string who = "dct token identity 1\n" + std::string(owner) + "\n";
  if (!credential || credential->empty()) {
    who += "anonymous";
  } else {
    who += credential->has_identity_token() ? "identity-token\n" : "password\n";
    who += credential->username;
  }
  return to_hex(sha256(who));
}

std::optional<WallClock::time_point> jwt_expiry(std::string_view token) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  const nlohmann::json claims = nlohmann::json::parse(*payload, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return std::nullopt;
  const auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number()) return std::nullopt;
  const double seconds = exp->get<double>();
  if (!(seconds > 0 && seconds < 1e11)) return std::nullopt;
  return from_epoch_seconds(static_cast<std::int64_t>(seconds));
}

WallClock::time_point token_expiry(std::string_view token,
                                   std::optional<std::chrono::seconds> expires_in,
                                   WallClock::time_point now) {
  const auto exp = jwt_expiry(token);
  if (expires_in && expires_in->count() > 0) {
    const auto stated = now + *expires_in;
    return exp ? std::min(stated, *exp) : stated;
  }
  if (exp) return *exp;
  return now + kDefaultTokenLifetime;
}

TokenCache::TokenCache(std::filesystem::path file) : file_(std::move(file)) {}

std::filesystem::path TokenCache::file_in(const std::filesystem::path& config_dir) {
  return config_dir / "dct" / "tokens.json";
}

std::shared_ptr<TokenCache> TokenCache::for_config_dir(const std::filesystem::path& config_dir) {
  if (cache_disabled_by_env()) return nullptr;
  return std::make_shared<TokenCache>(file_in(config_dir));
}

// A damaged or foreign file reads as empty: it only ever saves a token request.
TokenCache::State TokenCache::read_file() const {
  State out;
  const auto bytes = read_file_capped(file_, kMaxTokenCacheBytes);
  if (!bytes) return out;
  const nlohmann::json doc = nlohmann::json::parse(*bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != kTokenCacheVersion)
    return out;
  const auto str = [](const nlohmann::json& o, const char* k) -> std::string {
    auto it = o.find(k);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto it = doc.find("tokens"); it != doc.end() && it->is_array()) {
    for (const auto& e : *it) {
      if (!e.is_object()) continue;
      auto exp = e.find("expires");
      if (exp == e.end() || !exp->is_number_integer()) continue;
      Entry entry{str(e, "identity"), str(e, "token"), exp->get<std::int64_t>()};
      const std::string realm = str(e, "realm");
      if (entry.token.empty() || entry.identity.empty() || realm.empty()) continue;
      out.tokens[TokenKey{realm, str(e, "service"), str(e, "scope")}] = std::move(entry);
    }
  }
  if (auto it = doc.find("servers"); it != doc.end() && it->is_object()) {
    for (const auto& [url, s] : it->items()) {
      if (!s.is_object() || str(s, "realm").empty()) continue;
      out.servers[url] = BearerRealm{str(s, "realm"), str(s, "service")};
    }
  }
  return out;
}

void TokenCache::write_file(const State& state) const {
  nlohmann::json doc;
  doc["version"] = kTokenCacheVersion;
  nlohmann::json tokens = nlohmann::json::array();
  for (const auto& [key, e] : state.tokens) {
    tokens.push_back({{"realm", key.realm},
                      {"service", key.service},
                      {"scope", key.scope},
                      {"identity", e.identity},
                      {"expires", e.expires},
                      {"token", e.token}});
  }
  doc["tokens"] = std::move(tokens);
  nlohmann::json servers = nlohmann::json::object();
  for (const auto& [url, r] : state.servers)
    servers[url] = {{"realm", r.realm}, {"service", r.service}};
  doc["servers"] = std::move(servers);
  try {
    write_file_atomic(file_, doc.dump(1) + "\n", 0600, Durability::unsynced);
    std::error_code ec;  // the directory is ours: keep it private even if made by hand
    std::filesystem::permissions(file_.parent_path(), std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  } catch (const Error&) {
    // A read-only or full config dir costs a token request next time, nothing more.
  }
}

void TokenCache::load_locked() {
  if (loaded_) return;
  state_ = read_file();
  loaded_ = true;
}

template <typename Change>
void TokenCache::update_locked(Change change) {
  state_ = read_file();
  loaded_ = true;
  change(state_);
  const std::int64_t now = epoch_seconds(WallClock::now());
  std::erase_if(state_.tokens, [now](const auto& kv) { return kv.second.expires <= now; });
  write_file(state_);
}

std::optional<TokenCache::Hit> TokenCache::find(const TokenKey& key, const std::string& identity,
                                                WallClock::time_point now) {
  std::lock_guard lock(mutex_);
  load_locked();
  auto it = state_.tokens.find(key);
  if (it == state_.tokens.end()) return std::nullopt;
  if (it->second.identity != identity) {
    // The credentials changed (a logout, another account): every token the old ones got from
    // this token service goes, not only this scope's.
    update_locked([&](State& s) {
      std::erase_if(s.tokens, [&](const auto& kv) {
        return kv.first.realm == key.realm && kv.first.service == key.service &&
               kv.second.identity != identity;
      });
    });
    return std::nullopt;
  }
  const auto expires = from_epoch_seconds(it->second.expires);
  if (now + kTokenCacheMargin >= expires) return std::nullopt;
  return Hit{it->second.token, expires};
}

void TokenCache::store(const TokenKey& key, const std::string& identity, const std::string& token,
                       WallClock::time_point expires, WallClock::time_point now) {
  if (now + kTokenCacheMargin >= expires) return;
  std::lock_guard lock(mutex_);
  update_locked([&](State& s) { s.tokens[key] = Entry{identity, token, epoch_seconds(expires)}; });
}

void TokenCache::drop(const TokenKey& key) {
  std::lock_guard lock(mutex_);
  load_locked();
  if (!state_.tokens.contains(key)) return;
  update_locked([&](State& s) { s.tokens.erase(key); });
}

std::optional<BearerRealm> TokenCache::realm_of(const std::string& server_url) {
  std::lock_guard lock(mutex_);
  load_locked();
  auto it = state_.servers.find(server_url);
  if (it == state_.servers.end()) return std::nullopt;
  return it->second;
}

void TokenCache::remember_realm(const std::string& server_url,
                                const std::optional<BearerRealm>& realm) {
  std::lock_guard lock(mutex_);
  load_locked();
  auto it = state_.servers.find(server_url);
  const bool known = it != state_.servers.end();
  if (realm ? known && it->second == *realm : !known) return;
  update_locked([&](State& s) {
    if (realm)
      s.servers[server_url] = *realm;
    else
      s.servers.erase(server_url);
  });
}

}  // namespace dct::registry
