#pragma once
// Canonical JSON exactly as notary signs it (docker/go's canonical encoder): object members
// sorted bytewise by key, no whitespace, only '"' and '\' escaped in strings (everything else,
// control characters and non-ASCII included, is written raw), integers only.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dct::trust {

// Integers beyond 2^53 are rounded to the nearest double first, as Go's verifier sees them.
// Throws dct::Error(malformed_metadata) for numbers that are not integral, NaN/Inf, or out of
// int64 range, and for values nested deeper than 1000 levels (Go refuses beyond 10000).
std::string canonical_json(const nlohmann::json& value);

// What Go's encoder does to a raw message embedded in the envelope: '<', '>', '&' become
// \u003c, \u003e, \u0026 and U+2028/U+2029 become \u2028/\u2029. Throws
// dct::Error(invalid_argument) for a raw control character (Go's encoder fails on those).
std::string escape_for_envelope(std::string_view canonical);

}  // namespace dct::trust
