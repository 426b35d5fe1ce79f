#include "plugin/table.h"

#include <algorithm>

namespace dct::plugin {
namespace {

// Width in characters (UTF-8 code points), as tabwriter counts runes.
std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

std::string render_table(const std::vector<std::vector<std::string>>& rows, TableStyle style) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, 0);
      widths[i] = std::max({widths[i], style.min_width, width_of(row[i]) + style.padding});
    }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(widths[i] - width_of(row[i]), ' ');
    }
    out += '\n';
  }
  return out;
}

}  // namespace dct::plugin
