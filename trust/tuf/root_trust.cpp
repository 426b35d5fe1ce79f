#include "trust/tuf/root_trust.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <set>

#include "base/errors.h"
#include "base/ossl.h"
#include "trust/crypto/x509.h"
#include "trust/tuf/checks.h"

namespace dct::trust {
namespace {

using namespace std::chrono_literals;

std::vector<ossl::X509Ptr> read_certs(const std::string& pem) {
  std::vector<ossl::X509Ptr> out;
  ossl::Bio bio = ossl::memory_bio(pem);
  if (!bio) return out;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  return out;
}

// True when the leaf of `key_pem` chains to a CA in `ca_pem`, intermediates taken from the
// rest of the key's PEM bundle.
bool chains_to_ca(const std::string& key_pem, const std::string& ca_pem, TimePoint now) {
  auto chain = read_certs(key_pem);
  auto cas = read_certs(ca_pem);
  if (chain.empty() || cas.empty()) return false;
  ossl::X509Store store(X509_STORE_new());
  for (auto& ca : cas) X509_STORE_add_cert(store.get(), ca.get());
  ossl::X509Stack intermediates(sk_X509_new_null());
  for (size_t i = 1; i < chain.size(); ++i) {
    X509_up_ref(chain[i].get());
    sk_X509_push(intermediates.get(), chain[i].get());
  }
  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  if (!X509_STORE_CTX_init(ctx.get(), store.get(), chain[0].get(), intermediates.get()))
    return false;
  X509_STORE_CTX_set_time(ctx.get(), 0,
                          static_cast<time_t>(std::chrono::system_clock::to_time_t(now)));
  return X509_verify_cert(ctx.get()) == 1;
}

// Counts distinct valid signatures by `keys` over the candidate; throws when below threshold.
void require_threshold(const Root& candidate, const std::map<std::string, PublicKey>& keys,
                       int threshold, const std::string& what) {
  RoleKeys role;
  for (const auto& [id, _] : keys) role.keyids.push_back(id);
  role.threshold = threshold;
  try {
    verify_signatures(candidate.file, keys, role, what);
  } catch (const Error& e) {
    throw Error(ErrorCode::root_rotation_failed, e.what());
  }
}

}  // namespace

PinFor pin_for(const TrustPinning& pinning, const std::string& gun) {
  PinFor out;
  if (auto it = pinning.certs.find(gun); it != pinning.certs.end()) {
    out.cert_ids = it->second;
    out.matched = it->first;
    return out;
  }
  size_t best = 0;
  for (const auto& [key, ids] : pinning.certs) {
    if (key.empty() || key.back() != '*') continue;
    std::string prefix = key.substr(0, key.size() - 1);
    if (gun.rfind(prefix, 0) == 0 && prefix.size() + 1 > best) {
      best = prefix.size() + 1;
      out.cert_ids = ids;
      out.matched = key;
    }
  }
  if (out.cert_ids) return out;
  best = 0;
  for (const auto& [prefix, pem] : pinning.ca) {
    if (gun.rfind(prefix, 0) == 0 && prefix.size() + 1 > best) {
      best = prefix.size() + 1;
      out.ca_pem = pem;
      out.matched = prefix;
    }
  }
  return out;
}

std::map<std::string, PublicKey> usable_root_keys(const Root& root, const std::string& gun,
                                                  TimePoint now, bool check_expiry,
                                                  std::vector<std::string>* rejected) {
  std::map<std::string, PublicKey> out;
  auto reject = [&](const std::string& id, const std::string& why) {
    if (rejected) rejected->push_back(fmt::format("key {}: {}", id.substr(0, 12), why));
  };
  for (const auto& id : root.role("root").keyids) {
    const PublicKey& key = root.keys.at(id);
    if (key.type != "ecdsa-x509" && key.type != "rsa-x509") {
      reject(id, fmt::format("type {} is not a certificate", key.type));
      continue;
    }
    auto facts = certificate_facts(key.public_bytes);
    if (!facts) {
      reject(id, "certificate does not parse");
      continue;
    }
    if (auto why = check_root_certificate(*facts, gun, now, check_expiry)) {
      reject(id, *why);
      continue;
    }
    out.emplace(id, key);
  }
  return out;
}

void verify_root(const Root& candidate, const Root* previous, const std::string& gun,
                 const TrustPinning& pinning, TimePoint now, RootCheck check) {
  // Rotation: the previous root's root role must approve the candidate (its certificates'
  // expiry is not held against it, as notary does, so an expired root can be replaced).
  if (previous) {
    auto prev_keys = usable_root_keys(*previous, gun, now, /*check_expiry=*/false);
    require_threshold(candidate, prev_keys, previous->role("root").threshold,
                      fmt::format("root version {} (signatures by the keys of trusted root "
                                  "version {})",
                                  candidate.file.version, previous->file.version));
  }
  std::vector<std::string> rejected;
  auto own = usable_root_keys(candidate, gun, now, check.check_expiry, &rejected);

  PinFor pin = pin_for(pinning, gun);
  if (pin.cert_ids) {
    std::set<std::string> allowed(pin.cert_ids->begin(), pin.cert_ids->end());
    for (auto it = own.begin(); it != own.end();)
      it = allowed.count(it->first) ? std::next(it) : own.erase(it);
    if (own.empty())
      throw Error(ErrorCode::pinning_failed,
                  fmt::format("no root key of {} matches the certificates pinned for \"{}\" in "
                              "the notary configuration",
                              gun, pin.matched));
  } else if (pin.ca_pem) {
    for (auto it = own.begin(); it != own.end();)
      it = chains_to_ca(it->second.public_bytes, *pin.ca_pem, now) ? std::next(it) : own.erase(it);
    if (own.empty())
      throw Error(ErrorCode::pinning_failed,
                  fmt::format("no root certificate of {} is issued by the CA pinned for \"{}\"",
                              gun, pin.matched));
  } else if (!previous && !check.from_cache && pinning.disable_tofu) {
    throw Error(ErrorCode::pinning_failed,
                fmt::format("no trusted root for {} and trust on first use is disabled "
                            "(trust_pinning.disable_tofu); pin its root certificate or CA",
                            gun));
  }

  if (own.empty())
    throw Error(ErrorCode::root_certificate_invalid,
                fmt::format("root of {} has no usable root certificate{}{}", gun,
                            rejected.empty() ? "" : ": ", fmt::join(rejected, "; ")));
  try {
    verify_signatures(candidate.file, own,
                      RoleKeys{[&] {
                                 std::vector<std::string> ids;
                                 for (const auto& [id, _] : own) ids.push_back(id);
                                 return ids;
                               }(),
                               candidate.role("root").threshold},
                      "root");
  } catch (const Error& e) {
    if (!rejected.empty())
      throw Error(e.code(),
                  fmt::format("{} (rejected root keys: {})", e.what(), fmt::join(rejected, "; ")));
    throw;
  }
  if (check.check_expiry) check_not_expired(candidate.file, now, "root");
}

}  // namespace dct::trust
