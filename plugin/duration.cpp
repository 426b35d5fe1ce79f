#include "plugin/duration.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace dct::plugin {

std::chrono::seconds parse_duration(std::string_view text, std::string_view flag) {
  auto bad = [&] {
    return Error(ErrorCode::invalid_argument,
                 fmt::format("invalid value \"{}\" for {}: not a duration", text, flag),
                 "give numbers with units d, h, m or s, e.g. 30d, 720h, 90m or 1d12h (at most "
                 "100 years)");
  };
  constexpr long long kMaxSeconds = 100LL * 365 * 24 * 3600;
  long long total = 0;
  std::size_t i = 0;
  if (text.empty()) throw bad();
  while (i < text.size()) {
    long long number = 0;
    std::size_t digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
      number = number * 10 + (text[i] - '0');
      if (number > kMaxSeconds) throw bad();
    }
    if (digits == 0 || i == text.size()) throw bad();
    long long unit = 0;
    switch (text[i++]) {
      case 'd':
        unit = 24 * 3600;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'm':
        unit = 60;
        break;
      case 's':
        unit = 1;
        break;
      default:
        throw bad();
    }
    total += number * unit;  // number <= kMaxSeconds, so this cannot overflow
    if (total > kMaxSeconds) throw bad();
  }
  return std::chrono::seconds(total);
}

}  // namespace dct::plugin
