#include "trust/formats/go_base64.h"

#include <array>
#include <cstdint>

namespace dct::trust {
namespace {

constexpr std::array<std::int8_t, 256> make_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}
constexpr auto kTable = make_table();

bool is_newline(char c) { return c == '\r' || c == '\n'; }

}  // namespace

std::optional<std::string> go_base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  size_t i = 0;
  auto skip_newlines = [&] {
    while (i < text.size() && is_newline(text[i])) ++i;
  };
  while (true) {
    std::uint32_t quantum = 0;
    int have = 0;  // sextets read in this quantum
    bool padded = false;
    while (have < 4) {
      skip_newlines();
      if (i == text.size()) {
        if (have == 0) return out;
        return std::nullopt;  // a partial quantum without its padding
      }
      const char c = text[i++];
      if (c == '=') {
        if (have < 2) return std::nullopt;
        if (have == 2) {  // "xx==": the second '=' must follow (newlines aside)
          skip_newlines();
          if (i == text.size() || text[i] != '=') return std::nullopt;
          ++i;
        }
        skip_newlines();
        if (i != text.size()) return std::nullopt;  // nothing may follow the padding
        padded = true;
        break;
      }
      const int v = kTable[static_cast<unsigned char>(c)];
      if (v < 0) return std::nullopt;
      quantum |= static_cast<std::uint32_t>(v) << (18 - 6 * have);
      ++have;
    }
    // have sextets carry have-1 whole bytes (3 for a full quantum); leftover bits are ignored.
    const int bytes = have == 4 ? 3 : have - 1;
    for (int b = 0; b < bytes; ++b)
      out.push_back(static_cast<char>((quantum >> (16 - 8 * b)) & 0xff));
    if (padded) return out;
  }
}

}  // namespace dct::trust
