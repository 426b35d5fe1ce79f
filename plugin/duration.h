#pragma once
// Durations as people type them on the command line: a number and a unit, repeated
// ("30d", "720h", "90m", "1d12h", "45s"). Days are 24 hours.
#include <chrono>
#include <string_view>

namespace dct::plugin {

// Throws dct::Error(invalid_argument) naming `flag` and the value when it is not such a
// duration (empty, no unit, unknown unit, negative, or more than 100 years).
std::chrono::seconds parse_duration(std::string_view text, std::string_view flag);

}  // namespace dct::plugin
