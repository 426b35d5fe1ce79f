#pragma once
// PEM blocks exactly as Go's encoding/pem reads and writes them (notary stores certificates
// and keys through it): Decode finds the first well-formed block anywhere in the input, with
// optional "Name: value" headers; Encode writes Proc-Type first, then the other headers
// sorted by name, a blank line after headers, and base64 in 64-character lines.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dct::trust {

struct PemBlock {
  std::string type;                            // "CERTIFICATE", "ENCRYPTED PRIVATE KEY", ...
  std::map<std::string, std::string> headers;  // as Go: a map, so duplicates keep the last
  std::string bytes;                           // the decoded body
};

// The first well-formed block in `data`, and (if `rest` is given) what follows its END line.
// Malformed candidate blocks are skipped, as Go does. nullopt when there is none.
std::optional<PemBlock> pem_decode(std::string_view data, std::string_view* rest = nullptr);

std::string pem_encode(const PemBlock& block);

}  // namespace dct::trust
