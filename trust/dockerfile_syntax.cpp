#include "trust/dockerfile_syntax.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "trust/dockerfile_words.h"
#include "trust/errors.h"

namespace dct::trust {

namespace {

struct Found {
  std::size_t line = 0;
  std::size_t value_offset = 0;
  std::string value;
};

// DirectiveParser.ParseAll with a comment prefix: the first syntax directive, if any, of the
// directives at the top of `text` (which starts at byte `base` of the Dockerfile, on line
// `first_line`). A repeated key ends the directives, the first one standing.
std::optional<Found> scan(std::string_view text, std::size_t base, std::size_t first_line,
                          std::string_view prefix) {
  std::set<std::string> seen;
  std::size_t pos = 0, line = first_line;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    const std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view l = text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);  // bufio.ScanLines drops one \r
    if (l.substr(0, prefix.size()) != prefix) return std::nullopt;
    const auto m = match_directive(l.substr(prefix.size()));
    if (!m || (m->key != "syntax" && m->key != "escape" && m->key != "check")) return std::nullopt;
    if (!seen.insert(m->key).second) return std::nullopt;
    if (m->key == "syntax") {
      const std::size_t at = prefix.size() + m->value_begin;
      return Found{line, base + pos + at, std::string(l.substr(at, m->value_end - m->value_begin))};
    }
    pos = next;
    ++line;
  }
  return std::nullopt;
}

}  // namespace

std::optional<SyntaxDirective> detect_syntax(std::string_view text) {
  std::size_t base = 0, first_line = 1;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") base = 3;
  if (text.substr(base, 2) == "#!") {
    const std::size_t nl = text.find('\n', base);
    base = nl == std::string_view::npos ? text.size() : nl + 1;
    first_line = 2;
  }
  const std::string_view rest = text.substr(base);
  if (auto f = scan(rest, base, first_line, "#")) {
    SyntaxDirective d;
    d.line = f->line;
    d.image = f->value.substr(0, f->value.find(' '));
    d.image_offset = f->value_offset;
    if (d.image.empty())
      throw Error(ErrorCode::dockerfile_invalid,
                  fmt::format("Dockerfile line {}: the syntax directive names no image", d.line));
    return d;
  }
  if (auto f = scan(rest, base, first_line, "//"))
    throw Error(ErrorCode::dockerfile_invalid,
                fmt::format("Dockerfile line {}: BuildKit takes \"// syntax={}\" as the frontend "
                            "image, and dct pins only the # form",
                            f->line, f->value),
                "write it as \"# syntax=...\" on the first line");
  const auto j = nlohmann::json::parse(rest, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("syntax") && j["syntax"].is_string())
    throw Error(ErrorCode::dockerfile_invalid,
                "the Dockerfile is a JSON document whose \"syntax\" BuildKit takes as the "
                "frontend image; dct pins only \"# syntax=\" directives");
  return std::nullopt;
}

}  // namespace dct::trust
