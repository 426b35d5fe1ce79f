// Output of `docker-credential-* get`: the first byte is the helper's exit status, the rest
// its stdout. The answer is a credential, nullopt, or dct::Error(credential_helper_failed).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/errors.h"
#include "fuzz_check.h"
#include "registry/credential_helper_output.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int exit_code = data[0];
  const std::string_view out(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const auto c = dct::registry::parse_credential_helper_output(
        "docker-credential-fuzz", "registry.example", exit_code, out);
    FUZZ_CHECK(exit_code == 0 || !c.has_value());
    if (c) {
      FUZZ_CHECK(!c->empty());
      FUZZ_CHECK(c->username.empty() || c->identity_token.empty());
      (void)c->redacted();
    }
  } catch (const dct::Error& e) {
    FUZZ_CHECK(e.code() == dct::ErrorCode::credential_helper_failed);
    // The message is a single line, whatever the helper printed.
    FUZZ_CHECK(std::string_view(e.what()).find('\n') == std::string_view::npos);
  }
  return 0;
}
