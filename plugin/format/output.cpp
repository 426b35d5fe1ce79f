#include "plugin/format/output.h"

#include <fmt/format.h>

#include <sstream>
#include <vector>

#include "base/errors.h"
#include "plugin/table.h"

namespace dct::plugin::format {

OutputFormat OutputFormat::parse(const std::string& flag) {
  OutputFormat out;
  if (flag.empty() || flag == "table") return out;
  if (flag == "json") {
    out.kind_ = Kind::json;
    return out;
  }
  if (flag.rfind("table ", 0) == 0) {
    out.kind_ = Kind::table;
    std::size_t start = 6;
    while (start < flag.size() && flag[start] == ' ') ++start;
    out.template_ = GoTemplate::parse(std::string_view(flag).substr(start), start);
    return out;
  }
  // Docker would print such a value as it is, once per line; a typo ("jsno", "yaml") is
  // likelier than a wish for constant text.
  if (flag.find("{{") == std::string::npos)
    throw Error(ErrorCode::invalid_argument, fmt::format("unknown format \"{}\"", flag),
                "use --format json, --format table, or a Go template such as "
                "--format '{{.Name}}' (see --help)");
  out.kind_ = Kind::tmpl;
  out.template_ = GoTemplate::parse(flag);
  return out;
}

std::string OutputFormat::render(const nlohmann::ordered_json& value) const {
  if (kind_ == Kind::json) return value.dump(4) + "\n";
  if (!template_) return "";
  std::vector<std::string> lines;
  auto add = [&](const nlohmann::ordered_json& dot) { lines.push_back(template_->render(dot)); };
  if (value.is_array())
    for (const auto& element : value) add(element);
  else
    add(value);
  if (kind_ == Kind::tmpl) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
  // A table: the header, then every line, cut at tabs into columns laid out as docker does.
  std::vector<std::vector<std::string>> rows;
  auto cells = [&](const std::string& text) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> row;
      std::size_t from = 0;
      for (auto tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', from)) {
        row.push_back(line.substr(from, tab - from));
        from = tab + 1;
      }
      row.push_back(line.substr(from));
      rows.push_back(std::move(row));
    }
  };
  cells(template_->render_header());
  for (const auto& l : lines) cells(l);
  return render_table(rows, kDockerTable);
}

std::string format_flag_help(const std::string& what) {
  return fmt::format(
      "Format the output: \"json\" for {}, or a Go template (\"{{{{.Field}}}}\", \"table "
      "{{{{.A}}}}\\t{{{{.B}}}}\")",
      what);
}

}  // namespace dct::plugin::format
