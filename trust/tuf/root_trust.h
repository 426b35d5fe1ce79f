#pragma once
// Deciding whether a root can be trusted: notary's certificate rules for root keys, trust on
// first use, pinning from ~/.notary/config.json, and rotation from a previously trusted root.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "trust/formats/metadata.h"
#include "trust/formats/time.h"

namespace dct::trust {

struct TrustPinning {
  // GUN or "prefix*" -> TUF key IDs of allowed root certificates.
  std::map<std::string, std::vector<std::string>> certs;
  // GUN prefix -> PEM bundle (contents, not a path) of CA certificates.
  std::map<std::string, std::string> ca;
  bool disable_tofu = false;
};

// The pin that applies to a GUN, if any: exact certs entry, else the longest "prefix*" entry,
// else the longest CA prefix.
struct PinFor {
  std::optional<std::vector<std::string>> cert_ids;
  std::optional<std::string> ca_pem;
  std::string matched;  // the config key that matched, for messages
};
PinFor pin_for(const TrustPinning& pinning, const std::string& gun);

struct RootCheck {
  bool check_expiry = true;  // expiry of the root file and of its certificates
  bool from_cache = false;   // re-checking the root already trusted (no first-use rules)
};

// Keys of `root`'s root role that are acceptable root certificates for `gun` (x509, one
// non-CA leaf first, CN == GUN, no SHA-1, RSA >= 2048, and when check_expiry, valid at now).
std::map<std::string, PublicKey> usable_root_keys(const Root& root, const std::string& gun,
                                                  TimePoint now, bool check_expiry,
                                                  std::vector<std::string>* rejected = nullptr);

// Verifies `candidate` as the next trusted root.
// - previous == nullptr: first use; pins apply, or TOFU unless disabled.
// - previous != nullptr: candidate must satisfy the previous root role's threshold (with the
//   previous certificates, expiry not checked) and its own; pins still apply.
// Throws dct::Error (security kinds) explaining what failed.
void verify_root(const Root& candidate, const Root* previous, const std::string& gun,
                 const TrustPinning& pinning, TimePoint now, RootCheck check);

}  // namespace dct::trust
