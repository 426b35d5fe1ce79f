#pragma once
// Tables laid out as Go's text/tabwriter does (what notary and docker print): every cell but
// the last of a line is padded to its column's width (widest cell + padding, at least
// min_width); the last cell is written as is.
#include <string>
#include <vector>

namespace dct::plugin {

struct TableStyle {
  std::size_t min_width;
  std::size_t padding;
};
inline constexpr TableStyle kNotaryTable{4, 4};   // notary's tables
inline constexpr TableStyle kDockerTable{10, 3};  // docker's tables

std::string render_table(const std::vector<std::vector<std::string>>& rows, TableStyle style);

}  // namespace dct::plugin
