#pragma once
// What --format asks for: nothing or "table" (the table for people), "json" (the JSON value,
// indented), "table TEMPLATE" (the template per element, its columns aligned under a header) or
// TEMPLATE (Go-template style, see go_template.h). Parsed before a command does anything, so
// that a bad template fails at once with exit 125.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "plugin/format/go_template.h"

namespace dct::plugin::format {

class OutputFormat {
 public:
  static OutputFormat parse(const std::string& flag);

  bool human() const { return kind_ == Kind::human; }
  bool json() const { return kind_ == Kind::json; }
  bool templated() const { return kind_ == Kind::tmpl || kind_ == Kind::table; }

  // `value` as --format json prints it (`json()`), or through the template (`templated()`):
  // once per element of a list and once for anything else, each followed by a newline.
  std::string render(const nlohmann::ordered_json& value) const;

 private:
  enum class Kind { human, json, tmpl, table } kind_ = Kind::human;
  std::optional<GoTemplate> template_;
};

// The help text of --format for a command whose JSON output is described by `what`.
std::string format_flag_help(const std::string& what);

}  // namespace dct::plugin::format
