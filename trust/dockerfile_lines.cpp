#include "trust/dockerfile_lines.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "trust/dockerfile_heredoc.h"
#include "trust/errors.h"

namespace dct::trust {

namespace {

struct Physical {
  std::size_t begin = 0;  // offset of the line's first byte in the text
  std::string_view text;  // without the trailing \r and \n characters
};

std::vector<Physical> physical_lines(std::string_view text) {
  std::vector<Physical> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    const std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(pos, next - pos);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    out.push_back({pos, line});
    pos = next;
  }
  if (!out.empty() && out.front().text.substr(0, 3) == "\xEF\xBB\xBF") {
    out.front().text.remove_prefix(3);
    out.front().begin += 3;
  }
  return out;
}

std::size_t leading_space(std::string_view s) {
  std::size_t i = 0;
  while (std::size_t n = space_at(s, i)) i += n;
  return i;
}

bool is_comment(std::string_view s) {
  const std::size_t i = leading_space(s);
  return i < s.size() && s[i] == '#';
}

// DirectiveParser.ParseLine: `#`, then key=value with a known key; anything else ends the
// directives for good.
class Directives {
 public:
  explicit Directives(DockerfileLines& out) : out_(out) {}

  void offer(std::string_view line, std::size_t offset, std::size_t line_no) {
    if (done_) return;
    const auto m =
        line.empty() || line.front() != '#' ? std::nullopt : match_directive(line.substr(1));
    if (!m || (m->key != "syntax" && m->key != "escape" && m->key != "check")) {
      done_ = true;
      return;
    }
    if (!seen_.insert(m->key).second)
      throw Error(ErrorCode::dockerfile_invalid,
                  fmt::format("Dockerfile line {}: only one {} parser directive can be used",
                              line_no, m->key));
    Directive d{m->key, std::string(line.substr(1 + m->value_begin, m->value_end - m->value_begin)),
                line_no, offset + 1 + m->value_begin};
    if (d.key == "escape") {
      if (d.value != "\\" && d.value != "`")
        throw Error(ErrorCode::dockerfile_invalid,
                    fmt::format("Dockerfile line {}: invalid escape directive \"{}\": use \\ or `",
                                line_no, d.value));
      out_.escape = d.value[0];
    }
    out_.directives.push_back(std::move(d));
  }

 private:
  DockerfileLines& out_;
  bool done_ = false;
  std::set<std::string> seen_;
};

// The escape character last on the line (spaces and tabs after it allowed) continues the
// instruction, unless the character before it is the escape character too.
bool continues(std::string_view& line, char escape) {
  std::size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0 || line[end - 1] != escape) return false;
  if (end >= 2 && line[end - 2] == escape) return false;
  line = line.substr(0, end - 1);
  return true;
}

void append(Traced& to, std::string_view part, std::size_t offset) {
  for (std::size_t k = 0; k < part.size(); ++k) to.push(part[k], offset + k);
}

bool opens_heredocs(const InstructionWords& w, char escape) {
  static const std::set<std::string> kHeredocInstructions{"run", "copy", "add"};
  const InstructionWords* target = &w;
  InstructionWords sub;
  if (w.name == "onbuild") {
    sub = split_instruction(w.args, escape);
    target = &sub;
  }
  if (!kHeredocInstructions.count(target->name)) return false;
  // The JSON form (["sh", "-c", "..."]) has no heredocs.
  const std::string& args = target->args.text;
  if (args.empty() || args.front() != '[') return true;
  const auto j = nlohmann::json::parse(args, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return true;
  for (const auto& e : j)
    if (!e.is_string())
      throw Error(ErrorCode::dockerfile_invalid,
                  fmt::format("{} takes a JSON array of strings only", target->name));
  return false;
}

}  // namespace

DockerfileLines split_dockerfile(std::string_view text) {
  DockerfileLines out;
  const std::vector<Physical> lines = physical_lines(text);
  Directives directives(out);
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::size_t skip = leading_space(lines[i].text);
    std::string_view first = lines[i].text.substr(skip);
    const std::size_t first_offset = lines[i].begin + skip;
    directives.offer(first, first_offset, i + 1);
    if (is_comment(first)) first = {};
    const std::size_t start_line = ++i;
    bool more = continues(first, out.escape);
    if (!more && first.empty()) continue;
    Instruction ins;
    ins.line = start_line;
    append(ins.text, first, first_offset);
    while (more && i < lines.size()) {
      std::string_view part = lines[i].text;
      const std::size_t offset = lines[i].begin;
      ++i;
      if (is_comment(part) || leading_space(part) == part.size()) continue;
      more = continues(part, out.escape);
      append(ins.text, part, offset);
    }
    ins.words = split_instruction(ins.text, out.escape);
    if (ins.text.text.find("<<") != std::string::npos && opens_heredocs(ins.words, out.escape)) {
      for (const Heredoc& h : heredocs_in(ins.text.text)) {
        bool terminated = false;
        while (i < lines.size() && !terminated) {
          std::string_view candidate = lines[i++].text;
          if (h.chomp)
            while (!candidate.empty() && candidate.front() == '\t') candidate.remove_prefix(1);
          terminated = candidate == h.terminator;
        }
        if (!terminated)
          throw Error(ErrorCode::dockerfile_invalid,
                      fmt::format("Dockerfile line {}: the heredoc {} is never terminated",
                                  start_line, h.terminator));
      }
    }
    out.instructions.push_back(std::move(ins));
  }
  return out;
}

}  // namespace dct::trust
