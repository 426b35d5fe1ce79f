#pragma once
// Base64 decoding as Go's base64.StdEncoding.Decode does it, which is what Go's JSON decoder
// uses for []byte members (key material, signatures) and what encoding/pem uses for bodies:
// '\r' and '\n' anywhere are skipped, padding is required, and (unlike the strict decoder in
// encoding.h) non-zero bits after the last full byte are accepted.
#include <optional>
#include <string>
#include <string_view>

namespace dct::trust {

std::optional<std::string> go_base64_decode(std::string_view text);

}  // namespace dct::trust
