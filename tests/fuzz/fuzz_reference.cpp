// Image references: parsing never fails other than with dct::Error, and a parsed reference
// reads back to itself from both its full and its familiar spelling.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/errors.h"
#include "fuzz_check.h"
#include "registry/reference.h"

using dct::registry::Reference;

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

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
  // As in docker, "docker.io/a.b/c" has the familiar name "a.b/c", which reads as domain "a.b":
  // only a familiar name whose first part cannot be a domain reads back to the same reference.
  const std::string familiar = ref.familiar();
  const std::string first = familiar.substr(0, familiar.find('/'));
  const bool ambiguous = ref.is_docker_hub() && familiar.find('/') != std::string::npos &&
                         (first.find_first_of(".:") != std::string::npos || first == "localhost" ||
                          first != lower(first));
  // And as in docker, a familiar name of 64 hexadecimal digits is refused as an image ID,
  // though "docker.io/<64 hex digits>" names a repository.
  const std::string familiar_str = ref.familiar_str();
  const bool image_id = familiar_str.size() == 64 &&
                        familiar_str.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!ambiguous && !image_id) FUZZ_CHECK(dct::registry::parse_reference(familiar_str) == ref);
  FUZZ_CHECK(dct::registry::parse_repository(ref.gun()).gun() == ref.gun());
  (void)ref.registry_api_base();
  (void)ref.credentials_key();
  (void)ref.tag_or_latest();
  return 0;
}
