#pragma once
// TEST ONLY. Tests that run real programs (notary, notary-server, docker, ...). Where one is
// missing the test is skipped and says why on stderr; with DCT_REQUIRE_TOOLS=1 (scripts/test.sh
// sets it, so CI does) a missing program fails the test instead: it must not pass as a skip.
#include <doctest/doctest.h>

#include <cstdlib>
#include <initializer_list>
#include <iostream>
#include <string>

namespace dct::test {

inline bool have_program(const std::string& name) {
  return std::system(("command -v '" + name + "' >/dev/null 2>&1").c_str()) == 0;
}

// True when every program is installed; otherwise skips (or, under DCT_REQUIRE_TOOLS=1, fails)
// the current test with the names of those missing. Use as `if (!programs({...})) return;`.
inline bool programs(std::initializer_list<const char*> names) {
  std::string missing;
  for (const char* n : names)
    if (!have_program(n)) missing += (missing.empty() ? "" : ", ") + std::string(n);
  if (missing.empty()) return true;
  const char* required = std::getenv("DCT_REQUIRE_TOOLS");
  if (required && std::string(required) == "1") {
    FAIL_CHECK("not installed: " << missing
                                 << " (DCT_REQUIRE_TOOLS=1; scripts/setup.sh installs them)");
  } else {
    std::cerr << "skipped \"" << doctest::getContextOptions()->currentTest->m_name
              << "\": not installed: " << missing << "\n";
  }
  return false;
}

}  // namespace dct::test
