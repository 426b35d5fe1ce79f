#pragma once
// What the delegation commands need besides the editor: keys from the certificate or public key
// files collaborators hand over, role names checked against the one Docker trusts, and key IDs
// as people type them (a unique prefix or the certificate's name).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trust/crypto/keys.h"
#include "trust/formats/time.h"

namespace dct::trust {

// A delegation key from a PEM file, as `notary delegation add` reads one: a CERTIFICATE
// (currently valid) becomes an ecdsa-x509 / rsa-x509 key, a PUBLIC KEY (ECDSA or RSA) a plain
// key. Throws dct::Error(invalid_argument) naming `label` and what the file holds instead.
PublicKey delegation_key_from_pem(std::string_view pem, const std::string& label, TimePoint now);

// "targets/releases" when `role` looks like a mistyped form of it (case, a missing or extra
// letter, "target/" for "targets/"), nullopt otherwise (including for targets/releases itself).
std::optional<std::string> near_miss_of_releases(std::string_view role);

struct KeyOwner {
  std::string canonical_id;
  std::string common_name;  // of the key's certificate, empty for plain keys
  std::optional<TimePoint> expires;
};
KeyOwner key_owner(const PublicKey& key);

// The canonical ID `wanted` stands for among `keys`: an exact ID, a unique ID prefix (at least
// 4 characters), or a certificate name. Throws dct::Error(invalid_argument) when it matches
// none (listing the IDs) or several.
std::string match_key(const std::string& wanted, const std::vector<KeyOwner>& keys,
                      const std::string& role);

}  // namespace dct::trust
