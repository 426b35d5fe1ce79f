#include "registry/credential_routing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "base/errors.h"

namespace dct::registry {

namespace {

void add_allowed(std::string_view entry, const std::string& source, std::vector<Origin>& out) {
  const auto origin = parse_origin(entry, /*default_https=*/true);
  if (!origin || origin->scheme != "https") {
    throw Error(ErrorCode::config_invalid,
                fmt::format("{}: \"{}\" is neither an https URL nor a host[:port]", source, entry),
                "name each token service like https://auth.example.com");
  }
  out.push_back(*origin);
}

}  // namespace

std::vector<Origin> allowed_credential_realms(const NotaryConfig& config) {
  std::vector<Origin> out;
  const std::string env_name(kCredentialRealmsEnv);
  if (const char* env = std::getenv(env_name.c_str()); env != nullptr) {
    std::string_view rest(env);
    while (!rest.empty()) {
      const auto start = rest.find_first_not_of(", \t\n");
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const auto end = rest.find_first_of(", \t\n");
      add_allowed(rest.substr(0, end), env_name, out);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    }
  }
  for (const auto& realm : config.credential_realms) {
    add_allowed(realm, config.file.string() + ": credential_realms", out);
  }
  return out;
}

NotaryCredentialRouter::NotaryCredentialRouter(NotaryCredentialOptions options,
                                               RegistryRealm registry_realm)
    : options_(std::move(options)), realm_(std::move(registry_realm)) {}

const DockerConfig& NotaryCredentialRouter::config() {
  if (!config_) config_ = options_.load_config ? options_.load_config() : DockerConfig{};
  return *config_;
}

std::optional<Credential> NotaryCredentialRouter::lookup(const std::string& key) {
  if (auto it = looked_up_.find(key); it != looked_up_.end()) return it->second;
  auto found = lookup_credentials(config(), key);
  looked_up_.emplace(key, found);
  return found;
}

CredentialGrant NotaryCredentialRouter::registry_grant() {
  return CredentialGrant{lookup(options_.registry_key), options_.registry_key, {}, {}};
}

bool NotaryCredentialRouter::is_registry_realm(const Origin& realm) {
  if (const auto cached = realm_.cached(); cached && parse_origin(*cached) == realm) return true;
  if (const auto kept = realm_.kept(); kept && parse_origin(*kept) == realm) {
    realm_.remember(*kept);
    return true;
  }
  if (!asked_) {
    asked_ = true;
    asked_realm_ = realm_.ask();
  }
  if (asked_realm_ && parse_origin(*asked_realm_) == realm) {
    realm_.remember(*asked_realm_);
    return true;
  }
  return false;
}

CredentialGrant NotaryCredentialRouter::withheld(CredentialUse use, const Origin& where) {
  CredentialGrant g;
  g.owner = options_.registry_key;
  if (use == CredentialUse::basic) {
    g.withheld = fmt::format(
        "the credentials for {} were not sent to the notary server {}: as Basic auth they go to "
        "the registry's host only",
        options_.registry_key, where.host_port());
    g.allow_hint = fmt::format(
        "if the notary server has accounts of its own, log in to it with `docker login {}`",
        where.host_port());
    return g;
  }
  const std::optional<std::string> registry_realm = asked_realm_ ? asked_realm_ : realm_.cached();
  const auto registry_origin =
      registry_realm ? parse_origin(*registry_realm) : std::optional<Origin>();
  g.withheld = fmt::format(
      "the credentials for {} were not sent to the notary server's token service {}: {}",
      options_.registry_key, where.str(),
      registry_origin ? "the registry uses " + registry_origin->str()
                      : std::string("the registry names none"));
  const std::string config_file = options_.notary_config_file.empty()
                                      ? std::string("~/.notary/config.json")
                                      : options_.notary_config_file.string();
  g.allow_hint = fmt::format(
      "if {0} may have them, set {1}={0} (or add \"{0}\" to credential_realms in {2}), or log in "
      "to it with `docker login {3}`",
      where.str(), kCredentialRealmsEnv, config_file, where.host_port());
  return g;
}

void NotaryCredentialRouter::prepare() {
  std::lock_guard lock(mutex_);
  try {
    if (asked_ || !registry_grant().credential || realm_.cached() || realm_.kept()) return;
    asked_ = true;
    asked_realm_ = realm_.ask();
  } catch (const std::exception&) {
    // An unreadable config.json or an unreachable registry: grant() meets it again if needed.
    asked_ = false;
    asked_realm_.reset();
  }
}

CredentialGrant NotaryCredentialRouter::grant(CredentialUse use, const std::string& url) {
  std::lock_guard lock(mutex_);
  const auto where = parse_origin(url);
  if (!where || where->scheme != "https") return {};  // never sent anywhere but https
  if (parse_origin(options_.registry_url) == where) return registry_grant();
  if (use == CredentialUse::token && std::find(options_.allowed.begin(), options_.allowed.end(),
                                               *where) != options_.allowed.end()) {
    return registry_grant();
  }
  if (auto key = own_entry_key(config(), where->host_port())) {
    return CredentialGrant{lookup(*key), *key, {}, {}};
  }
  CredentialGrant registry = registry_grant();
  if (!registry.credential) return registry;  // nothing to keep back
  if (use == CredentialUse::token && is_registry_realm(*where)) return registry;
  return withheld(use, *where);
}

CredentialRouter route_notary_credentials(std::shared_ptr<NotaryCredentialRouter> router) {
  return [router = std::move(router)](CredentialUse use, const std::string& url) {
    return router->grant(use, url);
  };
}

}  // namespace dct::registry
