#include "trust/crypto/signer.h"

#include "base/encoding.h"
#include "base/errors.h"
#include "trust/formats/canonical_json.h"

namespace dct::trust {

std::string sign_metadata(const nlohmann::json& signed_json, const std::vector<SigningKey>& keys) {
  if (keys.empty()) throw Error(ErrorCode::internal, "metadata signed with no key");
  const std::string canonical = canonical_json(signed_json);
  std::string out = "{\"signed\":" + escape_for_envelope(canonical) + ",\"signatures\":[";
  bool first = true;
  for (const auto& k : keys) {
    const auto sig = k.key->sign(canonical);
    if (!first) out += ',';
    first = false;
    // keyid is hex and method a fixed word: neither needs escaping.
    out += "{\"keyid\":\"" + k.keyid + "\",\"method\":\"" + sig.method + "\",\"sig\":\"" +
           base64_encode(sig.bytes) + "\"}";
  }
  out += "]}";
  return out;
}

}  // namespace dct::trust
