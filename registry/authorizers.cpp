#include "registry/authorizers.h"

#include "registry/credential_routing.h"
#include "registry/docker_config.h"
#include "registry/origin.h"
#include "registry/registry_realm.h"
#include "registry/tls_config.h"

namespace dct::registry {

namespace {

std::function<TlsOptions(const std::string&)> own_tls_of_each_host(
    const std::filesystem::path& config_dir) {
  return [config_dir](const std::string& host_port) { return registry_tls(config_dir, host_port); };
}

}  // namespace

std::shared_ptr<Authorizer> make_registry_authorizer(Transport& transport,
                                                     const std::filesystem::path& config_dir,
                                                     const Reference& ref,
                                                     std::shared_ptr<TokenCache> tokens) {
  AuthorizerOptions o;
  o.token_cache = std::move(tokens);
  o.tls = registry_tls(config_dir, ref.domain);
  o.tls_for_host = own_tls_of_each_host(config_dir);
  o.credentials_key = ref.credentials_key();
  o.credentials = [config_dir, key = o.credentials_key]() {
    return lookup_credentials(load_docker_config(config_dir), key);
  };
  return std::make_shared<Authorizer>(transport, ref.registry_api_base(), std::move(o));
}

std::shared_ptr<Authorizer> make_notary_authorizer(Transport& transport,
                                                   const NotaryAuthorizerSetup& setup) {
  const NotaryConfig none;
  const NotaryConfig& notary_config = setup.notary_config ? *setup.notary_config : none;
  NotaryCredentialOptions routing;
  routing.registry_url = setup.ref.registry_api_base();
  routing.registry_key = setup.ref.credentials_key();
  routing.allowed = allowed_credential_realms(notary_config);
  routing.notary_config_file = notary_config.file;
  routing.load_config = [dir = setup.config_dir] { return load_docker_config(dir); };
  auto registry = setup.registry;
  RegistryRealm realm(
      routing.registry_url,
      setup.trust_dir.empty() ? std::filesystem::path()
                              : registry_realm_file(setup.trust_dir, setup.ref.gun()),
      [registry]() { return registry ? registry()->ping() : PingResult{}; }, setup.token_cache);

  AuthorizerOptions o;
  o.tls = notary_tls(setup.config_dir, setup.server_url, &notary_config);
  o.tls_for_host = own_tls_of_each_host(setup.config_dir);
  o.credentials_key = routing.registry_key;
  o.token_cache = setup.token_cache;
  const bool on_registry_host =
      parse_origin(setup.server_url) == parse_origin(routing.registry_url);
  auto router = std::make_shared<NotaryCredentialRouter>(std::move(routing), std::move(realm));
  // A notary server on the registry's own host gets the registry's credentials without its realm.
  if (!on_registry_host) o.before_challenge = [router] { router->prepare(); };
  o.route = route_notary_credentials(std::move(router));
  return std::make_shared<Authorizer>(transport, setup.server_url, std::move(o));
}

}  // namespace dct::registry
