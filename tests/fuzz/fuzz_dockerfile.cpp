// Dockerfiles (dct pin and dct build read them from repositories they build): reading one never
// fails other than with dct::Error, every reference lies inside the text, a rewritable one is
// exactly its bytes there, and replacing all of them at once is always possible.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "trust/dockerfile.h"
#include "trust/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  dct::trust::Dockerfile df;
  try {
    df = dct::trust::parse_dockerfile(text, {{"TAG", "1"}});
  } catch (const dct::Error&) {
    return 0;
  }
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::string>> edits;
  for (const auto& r : df.refs) {
    FUZZ_CHECK(!r.image.empty());
    FUZZ_CHECK(r.begin <= r.end && r.end <= text.size());
    if (!r.rewritable) continue;
    FUZZ_CHECK(text.substr(r.begin, r.end - r.begin) == r.written);
    edits.push_back({{r.begin, r.end}, "x@sha256:0"});
  }
  bool overlap = false;
  try {
    (void)dct::trust::replace_ranges(text, edits);
  } catch (const dct::Error&) {
    overlap = true;
  }
  FUZZ_CHECK(!overlap);
  return 0;
}
