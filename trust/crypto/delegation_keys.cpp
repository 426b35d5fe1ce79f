#include "trust/crypto/delegation_keys.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>

#include "base/errors.h"
#include "trust/crypto/pkix.h"
#include "trust/crypto/x509.h"
#include "trust/formats/pem.h"

namespace dct::trust {

namespace {

std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] != b[j - 1] ? 1u : 0u)});
      prev = cur;
    }
  }
  return row[b.size()];
}

}  // namespace

PublicKey delegation_key_from_pem(std::string_view pem, const std::string& label, TimePoint now) {
  auto block = pem_decode(pem);
  if (!block)
    throw Error(
        ErrorCode::invalid_argument,
        fmt::format("{} holds no PEM data: give the collaborator's certificate (.crt)", label));
  if (block->type.find("PRIVATE KEY") != std::string::npos)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} holds a {}, not a certificate: a delegation is added with the "
                            "collaborator's certificate (.crt) or public key; the private key "
                            "stays with them (`docker dct key import` is for that)",
                            label, block->type));
  if (block->type == "CERTIFICATE") {
    auto facts = certificate_facts(pem_encode({"CERTIFICATE", {}, block->bytes}));
    if (!facts)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: the certificate cannot be read", label));
    if (facts->key_type != "ecdsa" && facts->key_type != "rsa")
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: a {} certificate key cannot sign for notary (ECDSA or RSA)",
                              label, facts->key_type.empty() ? "unknown" : facts->key_type));
    if (now > facts->not_after || now < facts->not_before)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: the certificate is valid from {} to {}, not now", label,
                              format_human(facts->not_before), format_human(facts->not_after)));
    if (facts->key_type == "rsa" && facts->key_bits < 2048)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: an RSA key of {} bits is too weak (2048 at least)", label,
                              facts->key_bits));
    return PublicKey{facts->key_type + "-x509", pem_encode({"CERTIFICATE", {}, block->bytes})};
  }
  if (block->type == "PUBLIC KEY") {
    auto key = parse_pkix_public_key(block->bytes);
    if (!key.get())
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("{}: the public key cannot be read", label));
    const int id = EVP_PKEY_get_base_id(key.get());
    if (id == EVP_PKEY_EC) return PublicKey{"ecdsa", block->bytes};
    if (id == EVP_PKEY_RSA) {
      if (EVP_PKEY_get_bits(key.get()) < 2048)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("{}: an RSA key of {} bits is too weak (2048 at least)", label,
                                EVP_PKEY_get_bits(key.get())));
      return PublicKey{"rsa", block->bytes};
    }
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: only ECDSA and RSA public keys can be delegation keys", label));
  }
  throw Error(
      ErrorCode::invalid_argument,
      fmt::format("{} holds a {} block: give a CERTIFICATE or a PUBLIC KEY", label, block->type));
}

std::optional<std::string> near_miss_of_releases(std::string_view role) {
  static constexpr std::string_view kReleases = "targets/releases";
  if (role == kReleases) return std::nullopt;
  std::string lower(role);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!lower.empty() && lower.back() == '/') lower.pop_back();
  if (lower == kReleases || distance(lower, kReleases) <= 2 || lower == "releases" ||
      lower == "release")
    return std::string(kReleases);
  return std::nullopt;
}

KeyOwner key_owner(const PublicKey& key) {
  KeyOwner o;
  o.canonical_id = canonical_key_id(key);
  if (key.is_certificate())
    if (auto facts = certificate_facts(key.public_bytes)) {
      o.common_name = facts->common_name;
      o.expires = facts->not_after;
    }
  return o;
}

std::string match_key(const std::string& wanted, const std::vector<KeyOwner>& keys,
                      const std::string& role) {
  std::vector<std::string> hits;
  auto add = [&](const std::string& id) {
    if (std::find(hits.begin(), hits.end(), id) == hits.end()) hits.push_back(id);
  };
  for (const auto& k : keys)
    if (k.canonical_id == wanted) return k.canonical_id;
  for (const auto& k : keys) {
    if (wanted.size() >= 4 && k.canonical_id.rfind(wanted, 0) == 0) add(k.canonical_id);
    if (!k.common_name.empty() && k.common_name == wanted) add(k.canonical_id);
  }
  std::string listing;
  for (const auto& k : keys)
    listing += fmt::format("\n  {}{}", k.canonical_id,
                           k.common_name.empty() ? "" : " (" + k.common_name + ")");
  if (hits.size() == 1) return hits.front();
  if (hits.empty())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("no key of {} matches \"{}\"; its keys are:{}", role, wanted,
                            listing.empty() ? "\n  (none)" : listing));
  throw Error(ErrorCode::invalid_argument,
              fmt::format("\"{}\" matches {} keys of {}; give more of the ID:{}", wanted,
                          hits.size(), role, listing));
}

}  // namespace dct::trust
