// Canonical JSON: any document nlohmann accepts either canonicalizes or is refused with
// dct::Error, and canonicalizing the canonical form again changes nothing.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/errors.h"
#include "fuzz_check.h"
#include "trust/formats/canonical_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return 0;
  std::string canonical;
  try {
    canonical = dct::trust::canonical_json(doc);
  } catch (const dct::Error&) {
    return 0;
  }
  try {
    (void)dct::trust::escape_for_envelope(canonical);
  } catch (const dct::Error&) {
  }
  // Raw control characters make the canonical form unreadable as JSON; otherwise it must
  // read back to the same canonical bytes.
  const nlohmann::json again = nlohmann::json::parse(canonical, nullptr, false);
  if (!again.is_discarded()) FUZZ_CHECK(dct::trust::canonical_json(again) == canonical);
  return 0;
}
