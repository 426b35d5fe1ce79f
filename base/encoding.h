#pragma once
// Byte encodings and digests used across the project: hex, standard base64 (with padding,
// as Go's base64.StdEncoding), SHA-256 and SHA-512.
#include <optional>
#include <string>
#include <string_view>

namespace dct {

std::string to_hex(std::string_view bytes);                       // lower-case
std::optional<std::string> from_hex(std::string_view hex);        // nullopt on bad input
std::string base64_encode(std::string_view bytes);                // standard alphabet, padded
std::optional<std::string> base64_decode(std::string_view text);  // strict, padded
std::string sha256(std::string_view data);                        // raw 32 bytes
std::string sha512(std::string_view data);                        // raw 64 bytes

}  // namespace dct
