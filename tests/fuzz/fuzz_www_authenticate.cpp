// WWW-Authenticate: never throws; schemes and parameter names come back lower-case and
// non-empty.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "registry/challenge.h"

namespace {

bool lower_nonempty(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (std::isupper(c)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A newline splits the input into several header fields.
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    fields.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  for (const auto& challenges : {dct::registry::parse_www_authenticate(text),
                                 dct::registry::parse_www_authenticate(fields)}) {
    for (const auto& c : challenges) {
      FUZZ_CHECK(lower_nonempty(c.scheme));
      FUZZ_CHECK(c.is(c.scheme));
      for (const auto& [name, value] : c.params) {
        FUZZ_CHECK(lower_nonempty(name));
        FUZZ_CHECK(c.param(name).has_value());
      }
      (void)c.param("realm");
      (void)c.param("service");
      (void)c.param("scope");
    }
  }
  return 0;
}
