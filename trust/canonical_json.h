#pragma once
// Canonical JSON exactly as notary signs it (docker/go's canonical encoder): object members
// sorted bytewise by key, no whitespace, only '"' and '\' escaped in strings (everything else,
// control characters and non-ASCII included, is written raw), integers only.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace dct::trust {

// Throws dct::Error(malformed_metadata) for numbers that are not integral (or NaN/Inf).
std::string canonical_json(const nlohmann::json& value);

// What Go's encoder does to a raw message embedded in the envelope: '<', '>', '&' become
// \u003c, \u003e, \u0026 and U+2028/U+2029 become \u2028/\u2029.
std::string escape_for_envelope(std::string_view canonical);

}  // namespace dct::trust
