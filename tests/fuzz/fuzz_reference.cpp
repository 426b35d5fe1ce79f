// Image references: parsing never fails other than with dct::Error, and a parsed reference
// reads back to itself from both its full and its familiar spelling.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "registry/reference.h"
#include "trust/errors.h"

using dct::registry::Reference;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)dct::registry::is_valid_tag(text);
  (void)dct::registry::is_valid_digest(text);
  if (dct::registry::is_valid_domain(text)) {
    (void)dct::registry::registry_api_base(text);
    (void)dct::registry::credentials_key(text);
  }
  try {
    (void)dct::registry::parse_repository(text);
  } catch (const dct::Error&) {
  }
  Reference ref;
  try {
    ref = dct::registry::parse_reference(text);
  } catch (const dct::Error&) {
    return 0;
  }
  FUZZ_CHECK(!ref.domain.empty() && !ref.path.empty());
  FUZZ_CHECK(dct::registry::parse_reference(ref.str()) == ref);
  FUZZ_CHECK(dct::registry::parse_reference(ref.familiar_str()) == ref);
  FUZZ_CHECK(dct::registry::parse_repository(ref.gun()).gun() == ref.gun());
  (void)ref.registry_api_base();
  (void)ref.credentials_key();
  (void)ref.tag_or_latest();
  return 0;
}
