#include "trust/dockerfile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "trust/dockerfile_lines.h"
#include "trust/dockerfile_syntax.h"
#include "trust/errors.h"

namespace dct::trust {

namespace {

[[noreturn]] void invalid(std::size_t line, const std::string& what, std::string hint = {}) {
  throw Error(ErrorCode::dockerfile_invalid, fmt::format("Dockerfile line {}: {}", line, what),
              std::move(hint));
}

std::string expand(const std::string& word, const std::map<std::string, std::string>& vars,
                   std::size_t line, char escape) {
  std::string out;
  auto value = [&](const std::string& name) {
    auto it = vars.find(name);
    return it == vars.end() ? std::optional<std::string>() : std::optional<std::string>(it->second);
  };
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if (c == escape && i + 1 < word.size() && word[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (c != '$' || i + 1 >= word.size()) {
      out.push_back(c);
      continue;
    }
    if (word[i + 1] == '{') {
      const std::size_t close = word.find('}', i + 2);
      if (close == std::string::npos) invalid(line, fmt::format("missing '}}' in \"{}\"", word));
      const std::string body = word.substr(i + 2, close - i - 2);
      const std::size_t colon = body.find(':');
      const std::string name = body.substr(0, colon);
      auto v = value(name);
      if (colon == std::string::npos) {
        out += v.value_or("");
      } else if (colon + 1 < body.size() && body[colon + 1] == '-') {
        out += (v && !v->empty()) ? *v : body.substr(colon + 2);
      } else if (colon + 1 < body.size() && body[colon + 1] == '+') {
        out += (v && !v->empty()) ? body.substr(colon + 2) : "";
      } else {
        invalid(line, fmt::format("unsupported substitution \"${{{}}}\"", body));
      }
      i = close;
      continue;
    }
    std::size_t j = i + 1;
    while (j < word.size() && (std::isalnum(static_cast<unsigned char>(word[j])) || word[j] == '_'))
      ++j;
    if (j == i + 1) {
      out.push_back(c);
      continue;
    }
    out += value(word.substr(i + 1, j - i - 1)).value_or("");
    i = j - 1;
  }
  return out;
}

std::string unquote(std::string v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    return v.substr(1, v.size() - 2);
  return v;
}

// strings.EqualFold(s, "as"): the long s (U+017F) folds to 's' too.
bool is_as(const std::string& s) {
  if (s.empty() || (s[0] != 'a' && s[0] != 'A')) return false;
  const std::string rest = s.substr(1);
  return rest == "s" || rest == "S" || rest == "\xC5\xBF";
}

bool valid_stage_name(const std::string& s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

// strconv.Atoi: an optional sign and decimal digits that fit in an int64.
bool go_int(const std::string& s) {
  std::size_t i = s.empty() || (s[0] != '+' && s[0] != '-') ? 0 : 1;
  if (i == s.size()) return false;
  const std::string digits = s.substr(i);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const std::string trimmed = digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
  const std::string limit = s[0] == '-' ? "9223372036854775808" : "9223372036854775807";
  return trimmed.size() < limit.size() || (trimmed.size() == limit.size() && trimmed <= limit);
}

struct Stage {
  std::string name;  // lower-cased, "" when none
  std::size_t line = 0;
};

class Reader {
 public:
  Reader(std::string_view text, const std::map<std::string, std::string>& build_args)
      : text_(text), build_args_(build_args), lines_(split_dockerfile(text)) {}

  Dockerfile read() {
    if (auto s = detect_syntax(text_)) {
      ImageRef r;
      r.source = RefSource::syntax;
      r.line = s->line;
      r.written = r.image = s->image;
      r.begin = s->image_offset;
      r.end = r.begin + s->image.size();
      r.rewritable = true;
      out_.refs.push_back(std::move(r));
    }
    for (const Instruction& ins : lines_.instructions)
      if (ins.words.name == "from") stages_.push_back({stage_name(ins), ins.line});
    for (const Instruction& ins : lines_.instructions) {
      const std::string& name = ins.words.name;
      if (name == "arg" && current_ < 0) global_arg(ins);
      if (name == "from") from(ins);
      if (name == "copy" && current_ >= 0) copy_from(ins);
      if (name == "run" && current_ >= 0) mount_from(ins);
    }
    return std::move(out_);
  }

 private:
  std::string_view text_;
  const std::map<std::string, std::string>& build_args_;
  DockerfileLines lines_;
  std::vector<Stage> stages_;
  std::map<std::string, std::string> global_;  // ARGs before the first FROM
  long current_ = -1;                          // index of the stage being read
  Dockerfile out_;

  std::string stage_name(const Instruction& ins) const {
    const auto args = split_on_blanks(ins.words.args);
    if (args.size() == 3 && is_as(args[1].text)) {
      std::string name = go_lower(args[2].text);
      if (!valid_stage_name(name))
        invalid(ins.line, fmt::format("invalid stage name \"{}\"", args[2].text));
      return name;
    }
    if (args.size() == 1) return "";
    if (args.empty()) invalid(ins.line, "FROM names no image");
    invalid(ins.line, "expected `FROM image [AS name]`");
  }

  void global_arg(const Instruction& ins) {
    for (const Traced& t : split_on_blanks(ins.words.args)) {
      const std::size_t eq = t.text.find('=');
      const std::string name = t.text.substr(0, eq);
      if (auto it = build_args_.find(name); it != build_args_.end())
        global_[name] = it->second;
      else if (eq != std::string::npos)
        global_[name] = expand(unquote(t.text.substr(eq + 1)), global_, ins.line, lines_.escape);
    }
  }

  // A stage finished before the current one, by its lower-cased name.
  bool earlier_stage(const std::string& lowered) const {
    for (long k = 0; k < current_; ++k)
      if (!stages_[static_cast<std::size_t>(k)].name.empty() &&
          stages_[static_cast<std::size_t>(k)].name == lowered)
        return true;
    return false;
  }

  void from(const Instruction& ins) {
    ++current_;
    const Traced image = split_on_blanks(ins.words.args).front();
    ImageRef r;
    r.source = RefSource::from;
    r.line = ins.line;
    r.written = image.text;
    r.image = expand(image.text, global_, ins.line, lines_.escape);
    if (r.image.empty())
      invalid(ins.line,
              fmt::format("\"{}\" expands to nothing (is a --build-arg missing?)", image.text));
    r.stage = stages_[static_cast<std::size_t>(current_)].name;
    r.scratch = go_lower(r.image) == "scratch";
    r.stage_reference = earlier_stage(go_lower(r.image));
    r.begin = image.begin();
    r.end = image.end();
    r.rewritable = image.contiguous();
    out_.refs.push_back(std::move(r));
  }

  // The value of one `--name=value` flag of the instruction, or nothing; docker refuses the
  // flag repeated or without a value.
  std::vector<Traced> flag_values(const Instruction& ins, const std::string& flag) const {
    std::vector<Traced> values;
    for (const Traced& f : ins.words.flags) {
      const std::string prefix = "--" + flag;
      if (f.text.compare(0, prefix.size(), prefix) != 0) continue;
      if (f.text.size() == prefix.size())
        invalid(ins.line, fmt::format("{} needs a value ({}=...)", prefix, prefix));
      if (f.text[prefix.size()] != '=') continue;
      values.push_back(f.substr(prefix.size() + 1));
    }
    return values;
  }

  // A --from or from= value: a stage, scratch, or an image. No expansion happens there (docker
  // refuses variables in it), and quotes or escapes would make the builders read it otherwise.
  void reference(const Instruction& ins, RefSource source, const Traced& value) {
    const std::string what = source == RefSource::copy_from ? "--from" : "the mount's from=";
    const std::string& v = value.text;
    if (v.find_first_of(std::string("$'\"\\") + lines_.escape) != std::string::npos)
      invalid(ins.line,
              fmt::format("{} \"{}\" has a variable, quote or escape, which docker does not "
                          "expand there",
                          what, v),
              "name a stage instead: ARG ... then FROM $IMAGE AS name, and use the name");
    if (v.empty()) invalid(ins.line, fmt::format("{} is empty", what));
    ImageRef r;
    r.source = source;
    r.line = ins.line;
    r.written = r.image = v;
    r.scratch = v == "scratch";
    const std::string lowered = go_lower(v);
    r.stage_reference = (source == RefSource::copy_from && go_int(v)) || earlier_stage(lowered);
    if (!r.stage_reference && !r.scratch) {
      for (std::size_t k = static_cast<std::size_t>(current_); k < stages_.size(); ++k)
        if (stages_[k].name == lowered)
          invalid(ins.line,
                  fmt::format("{} \"{}\" names the stage of line {}, which is not finished "
                              "here: BuildKit refuses that, and the legacy builder would pull "
                              "an image called \"{}\" instead",
                              what, v, stages_[k].line, v),
                  "move that stage before this one");
    }
    r.begin = value.begin();
    r.end = value.end();
    r.rewritable = value.contiguous();
    out_.refs.push_back(std::move(r));
  }

  void copy_from(const Instruction& ins) {
    const auto values = flag_values(ins, "from");
    if (values.size() > 1) invalid(ins.line, "--from is given twice (docker refuses that)");
    if (!values.empty()) reference(ins, RefSource::copy_from, values.front());
  }

  void mount_from(const Instruction& ins) {
    for (const Traced& mount : flag_values(ins, "mount")) {
      std::optional<Traced> from;
      for (const Traced& field : csv_fields(mount)) {
        const std::size_t eq = field.text.find('=');
        if (eq == std::string::npos || go_lower(field.text.substr(0, eq)) != "from") continue;
        if (from) invalid(ins.line, "a --mount with two from= keys");
        from = field.substr(eq + 1);
      }
      if (from) reference(ins, RefSource::mount_from, *from);
    }
  }
};

}  // namespace

std::string_view describe(RefSource source) {
  switch (source) {
    case RefSource::from:
      return "FROM";
    case RefSource::copy_from:
      return "COPY --from";
    case RefSource::mount_from:
      return "RUN --mount from";
    case RefSource::syntax:
      return "# syntax";
  }
  return "";
}

Dockerfile parse_dockerfile(std::string_view text,
                            const std::map<std::string, std::string>& build_args) {
  return Reader(text, build_args).read();
}

std::string replace_ranges(
    std::string_view text,
    std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::string>> edits) {
  std::sort(edits.begin(), edits.end());
  std::string out;
  std::size_t pos = 0;
  for (const auto& [range, with] : edits) {
    if (range.first < pos || range.second > text.size())
      throw Error(ErrorCode::internal, "overlapping Dockerfile edits");
    out.append(text.substr(pos, range.first - pos));
    out += with;
    pos = range.second;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace dct::trust
