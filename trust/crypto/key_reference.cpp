#include "trust/crypto/key_reference.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/errors.h"

namespace dct::trust {
namespace {

bool is_hex_text(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

bool names_key(const KeyEntry& key, std::string_view reference) {
  if (!key.role.empty() && key.role == reference) return true;
  return !key.gun.empty() && !key.role.empty() &&
         reference.size() == key.gun.size() + 1 + key.role.size() &&
         reference.substr(0, key.gun.size()) == key.gun && reference[key.gun.size()] == '/' &&
         reference.substr(key.gun.size() + 1) == key.role;
}

}  // namespace

std::vector<KeyEntry> key_candidates(const std::vector<KeyEntry>& keys,
                                     std::string_view reference) {
  if (reference.empty()) return {};
  for (const auto& key : keys)
    if (key.id == reference) return {key};
  const bool prefix = reference.size() >= kMinKeyIdPrefix && is_hex_text(reference);
  std::vector<KeyEntry> found;
  for (const auto& key : keys)
    if (names_key(key, reference) ||
        (prefix && key.id.compare(0, reference.size(), reference) == 0))
      found.push_back(key);
  return found;
}

std::string describe_key(const KeyEntry& key) {
  std::string out = key.role.empty() ? "key" : key.role + " key";
  out += " " + key.id;
  if (!key.gun.empty()) out += " (" + key.gun + ")";
  return out;
}

KeyEntry resolve_key(const std::vector<KeyEntry>& keys, std::string_view reference,
                     const std::string& where) {
  auto found = key_candidates(keys, reference);
  if (found.size() == 1) return std::move(found.front());
  if (found.empty())
    throw Error(ErrorCode::key_not_found,
                fmt::format("no private key in {} has the ID or name \"{}\"", where, reference),
                "`docker dct key list` shows the keys held, their IDs and names (ROLE)");
  std::string list;
  for (const auto& key : found) list += "\n  " + describe_key(key);
  throw Error(ErrorCode::invalid_argument,
              fmt::format("\"{}\" could mean {} keys:{}", reference, found.size(), list),
              "give the full key ID");
}

KeyEntry resolve_key(const KeyStore& store, std::string_view reference) {
  // A full ID is found without listing the whole store.
  if (auto entry = store.find(std::string(reference))) return *entry;
  return resolve_key(store.list(), reference, store.dir().string());
}

}  // namespace dct::trust
