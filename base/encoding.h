#pragma once
// Byte encodings and digests used across the project: hex, standard base64 (with padding,
// as Go's base64.StdEncoding), SHA-256, SHA-512 and HMAC-SHA256.
#include <memory>
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
// SHA-256 of bytes given in pieces.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view piece);
  std::string finish();  // raw 32 bytes

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// Equal bytes, compared in time independent of where they differ (for MACs).
bool equal_in_constant_time(std::string_view a, std::string_view b);

}  // namespace dct
