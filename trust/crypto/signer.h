#pragma once
// Writing signed metadata exactly as notary writes it (protocol notes 1.1, 1.7): the "signed"
// object in canonical JSON, signed as those bytes, embedded in a non-canonical envelope with
// Go's HTML escapes, then the signatures in the order given. No trailing newline.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "trust/crypto/private_key.h"

namespace dct::trust {

struct SigningKey {
  std::string keyid;  // the ID the role lists (for root: the certificate key's TUF ID)
  const PrivateKey* key = nullptr;
};

// The envelope bytes for `signed_json` signed by every key in `keys` (at least one).
std::string sign_metadata(const nlohmann::json& signed_json, const std::vector<SigningKey>& keys);

}  // namespace dct::trust
