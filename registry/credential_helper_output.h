#pragma once
// What a `docker-credential-<name> get` answer means, once the helper has exited: a credential,
// nullopt for "credentials not found" (anonymous access), or dct::Error(credential_helper_failed)
// naming the helper. Safe on any output.
#include <optional>
#include <string>
#include <string_view>

#include "registry/credentials.h"

namespace dct::registry {

// `program` is the helper's full name ("docker-credential-pass"), `key` the registry key it was
// asked about; both only appear in messages.
std::optional<Credential> parse_credential_helper_output(std::string_view program,
                                                         std::string_view key, int exit_code,
                                                         std::string_view out);

}  // namespace dct::registry
