#pragma once
// The Authorizers a command uses, wired from the configuration: one for a registry (its TLS
// directories, its credentials for its own challenges, as docker does) and one for a notary
// server (its TLS settings, and the registry's credentials only where credential_routing.h
// lets them go). Token servers on other hosts get their own TLS settings, never the client
// certificate of the server that named them.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "registry/auth.h"
#include "registry/notary_config.h"
#include "registry/reference.h"

namespace dct::registry {

// `tokens`: bearer tokens kept between runs; may be null.
std::shared_ptr<Authorizer> make_registry_authorizer(Transport& transport,
                                                     const std::filesystem::path& config_dir,
                                                     const Reference& ref,
                                                     std::shared_ptr<TokenCache> tokens = nullptr);

struct NotaryAuthorizerSetup {
  std::string server_url;               // the notary server
  Reference ref;                        // the repository (its registry owns the credentials)
  std::filesystem::path config_dir;     // the docker config dir
  const NotaryConfig* notary_config{};  // may be null
  std::filesystem::path trust_dir;      // the registry's realm is kept beside the trust data
  // The registry's Authorizer, asked for the registry's token realm when needed.
  std::function<std::shared_ptr<Authorizer>()> registry;
  std::shared_ptr<TokenCache> token_cache;  // may be null
};

// Throws dct::Error(config_invalid) for a bad DCT_CREDENTIAL_REALMS or credential_realms, and
// dct::Error(tls_config) for unusable TLS files.
std::shared_ptr<Authorizer> make_notary_authorizer(Transport& transport,
                                                   const NotaryAuthorizerSetup& setup);

}  // namespace dct::registry
