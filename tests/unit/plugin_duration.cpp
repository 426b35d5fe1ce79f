// --within and other durations typed on the command line.
#include <doctest/doctest.h>

#include "base/errors.h"
#include "error_code_of.h"
#include "plugin/duration.h"

using namespace dct;
using dct::plugin::parse_duration;
using std::chrono::seconds;

TEST_CASE("durations with units, alone and combined") {
  CHECK(parse_duration("30d", "--within") == seconds(30 * 86400));
  CHECK(parse_duration("720h", "--within") == seconds(720 * 3600));
  CHECK(parse_duration("90m", "--within") == seconds(90 * 60));
  CHECK(parse_duration("45s", "--within") == seconds(45));
  CHECK(parse_duration("1d12h", "--within") == seconds(36 * 3600));
  CHECK(parse_duration("1h30m15s", "--within") == seconds(5415));
  CHECK(parse_duration("0d", "--within") == seconds(0));
}

TEST_CASE("anything else is refused, naming the flag and the value") {
  for (const char* bad : {"", "30", "d", "30x", "-1d", "1.5d", "30 d", "1d12", "30D", "h1",
                          "36600000d", "99999999999999999999h"}) {
    CAPTURE(bad);
    CHECK(test::code_of([&] { parse_duration(bad, "--within"); }) == ErrorCode::invalid_argument);
  }
  try {
    parse_duration("3 weeks", "--within");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "invalid value \"3 weeks\" for --within: not a duration");
    CHECK(e.hint().find("30d") != std::string::npos);
  }
}
