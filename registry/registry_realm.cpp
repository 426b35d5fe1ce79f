#include "registry/registry_realm.h"

#include <nlohmann/json.hpp>

#include "registry/url.h"
#include "trust/tuf/cache.h"

namespace dct::registry {

namespace {

constexpr std::size_t kMaxRealmFile = 4096;

}  // namespace

RegistryRealm::RegistryRealm(std::string registry_url, std::filesystem::path cache_file,
                             std::function<PingResult()> ping, std::shared_ptr<TokenCache> tokens)
    : registry_url_(std::move(registry_url)),
      cache_file_(std::move(cache_file)),
      ping_(std::move(ping)),
      tokens_(std::move(tokens)) {}

std::optional<std::string> RegistryRealm::cached() const {
  if (cache_file_.empty()) return std::nullopt;
  const auto text = read_file_capped(cache_file_, kMaxRealmFile);
  if (!text) return std::nullopt;
  const auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  const auto registry = doc.find("registry");
  const auto realm = doc.find("realm");
  if (registry == doc.end() || realm == doc.end() || !registry->is_string() ||
      !realm->is_string() || registry->get<std::string>() != registry_url_) {
    return std::nullopt;
  }
  return realm->get<std::string>();
}

std::optional<std::string> RegistryRealm::kept() const {
  if (!tokens_) return std::nullopt;
  // Recorded by the registry's Authorizer under its base URL, from the registry's answers only.
  auto remembered = tokens_->realm_of(trim_trailing_slash(registry_url_));
  if (!remembered || remembered->realm.empty()) return std::nullopt;
  return std::move(remembered->realm);
}

std::optional<std::string> RegistryRealm::ask() const {
  if (!ping_) return std::nullopt;
  const PingResult p = ping_();
  if (p.status != PingResult::Status::challenged) return std::nullopt;
  for (const auto& c : p.challenges) {
    if (!c.is("bearer")) continue;
    if (auto realm = c.param("realm"); realm && !realm->empty()) return realm;
  }
  return std::nullopt;
}

void RegistryRealm::remember(const std::string& realm) const {
  if (cache_file_.empty()) return;
  const nlohmann::json doc = {{"registry", registry_url_}, {"realm", realm}};
  try {
    write_file_atomic(cache_file_, doc.dump() + "\n", 0600, Durability::unsynced);
  } catch (const std::exception&) {
    // Not kept: the next run asks the registry again.
  }
}

std::filesystem::path registry_realm_file(const std::filesystem::path& trust_dir,
                                          const std::string& gun) {
  return trust::repository_dir(trust_dir, gun) / "dct.registry-realm.json";
}

}  // namespace dct::registry
