#pragma once
// Naming a private key on the command line: KEYID|NAME.
//   - a full canonical key ID (the key file name), or a unique prefix of one, 4 characters at
//     least (as `notary key list` and `docker trust` print IDs, people copy part of them);
//   - a key's name: the "role" header of its file, which is the NAME of `docker trust key
//     generate NAME` and `docker trust key load --name NAME`, the delegation a key was made
//     for, or a base role ("root", "targets"...). "GUN/role" names a repository's targets or
//     snapshot key ("example.com/app/targets").
// A full ID always wins. Otherwise every key matched by name or prefix is a candidate, and
// more than one is an error that lists them.
#include <string>
#include <string_view>
#include <vector>

#include "trust/crypto/key_store.h"

namespace dct::trust {

inline constexpr std::size_t kMinKeyIdPrefix = 4;

// The keys `reference` could mean, from `keys` (a KeyStore::list()).
std::vector<KeyEntry> key_candidates(const std::vector<KeyEntry>& keys, std::string_view reference);

// The one key `reference` names. Throws dct::Error(key_not_found) when none matches (saying
// how to list the keys) and dct::Error(invalid_argument) when several do (naming each one
// with its ID, role and repository).
KeyEntry resolve_key(const KeyStore& store, std::string_view reference);
KeyEntry resolve_key(const std::vector<KeyEntry>& keys, std::string_view reference,
                     const std::string& where);

// "root key 1a2b3c... " style description of a key for messages: role, repository, ID.
std::string describe_key(const KeyEntry& key);

}  // namespace dct::trust
