#include "trust/dockerfile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "trust/errors.h"

namespace dct::trust {

namespace {

struct Physical {
  std::size_t begin = 0;  // offset of the line in the text
  std::string_view text;  // without the line end
};

// One instruction after joining continuations: its characters and where each came from.
struct Logical {
  std::size_t line = 0;
  std::string text;
  std::vector<std::size_t> origin;
};

struct Token {
  std::string text;
  std::size_t first = 0, last = 0;  // indexes into Logical::text
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<Physical> split_lines(std::string_view text) {
  std::vector<Physical> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back({pos, line});
    if (nl == text.size()) break;
    pos = nl + 1;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

char escape_directive(const std::vector<Physical>& lines) {
  static const std::regex kDirective(R"(^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$)");
  for (const auto& l : lines) {
    std::cmatch m;
    const std::string_view t = trim(l.text);
    if (!std::regex_match(t.begin(), t.end(), m, kDirective)) break;
    if (lower(m[1].str()) == "escape") {
      const std::string v = m[2].str();
      if (v != "\\" && v != "`")
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("invalid escape directive \"{}\": use \\ or `", v));
      return v[0];
    }
  }
  return '\\';
}

std::vector<Logical> logical_lines(const std::vector<Physical>& lines, char escape) {
  std::vector<Logical> out;
  Logical cur;
  bool open = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = lines[i].text;
    const std::string_view trimmed = trim(t);
    if (trimmed.empty() || trimmed.front() == '#') continue;  // comments, also inside continuations
    if (!open) {
      cur = Logical{i + 1, {}, {}};
      open = true;
    }
    std::size_t end = t.size();
    while (end > 0 && std::isspace(static_cast<unsigned char>(t[end - 1]))) --end;
    const bool continues = end > 0 && t[end - 1] == escape;
    if (continues) --end;
    for (std::size_t k = 0; k < end; ++k) {
      cur.text.push_back(t[k]);
      cur.origin.push_back(lines[i].begin + k);
    }
    if (!continues) {
      out.push_back(std::move(cur));
      open = false;
    }
  }
  if (open) out.push_back(std::move(cur));
  return out;
}

std::vector<Token> tokens_of(const std::string& s, std::size_t from) {
  std::vector<Token> out;
  std::size_t i = from;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) break;
    const std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    out.push_back({s.substr(start, i - start), start, i});
  }
  return out;
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
      if (close == std::string::npos)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("Dockerfile line {}: missing '}}' in \"{}\"", line, word));
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
        throw Error(
            ErrorCode::invalid_argument,
            fmt::format("Dockerfile line {}: unsupported substitution \"${{{}}}\"", line, body));
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

}  // namespace

Dockerfile parse_dockerfile(std::string_view text,
                            const std::map<std::string, std::string>& build_args) {
  const auto lines = split_lines(text);
  const char escape = escape_directive(lines);
  Dockerfile out;
  std::map<std::string, std::string> global;  // ARGs before the first FROM
  std::set<std::string> stages;
  bool seen_from = false;
  for (const Logical& l : logical_lines(lines, escape)) {
    auto toks = tokens_of(l.text, 0);
    if (toks.empty()) continue;
    const std::string instruction = lower(toks[0].text);
    if (instruction == "arg" && !seen_from) {
      for (std::size_t k = 1; k < toks.size(); ++k) {
        const std::string& t = toks[k].text;
        const std::size_t eq = t.find('=');
        const std::string name = t.substr(0, eq);
        if (auto it = build_args.find(name); it != build_args.end())
          global[name] = it->second;
        else if (eq != std::string::npos)
          global[name] = expand(unquote(t.substr(eq + 1)), global, l.line, escape);
      }
      continue;
    }
    if (instruction != "from") continue;
    seen_from = true;
    std::size_t k = 1;
    while (k < toks.size() && toks[k].text.rfind("--", 0) == 0) ++k;  // --platform=...
    if (k >= toks.size())
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("Dockerfile line {}: FROM names no image", l.line));
    FromLine f;
    f.line = l.line;
    f.written = toks[k].text;
    f.image = expand(f.written, global, l.line, escape);
    if (f.image.empty())
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("Dockerfile line {}: \"{}\" expands to nothing (is a --build-arg "
                              "missing?)",
                              l.line, f.written));
    const std::size_t rest = toks.size() - k - 1;
    if (rest == 2 && lower(toks[k + 1].text) == "as") {
      f.stage = lower(toks[k + 2].text);
    } else if (rest != 0) {
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("Dockerfile line {}: expected `FROM image [AS name]`", l.line));
    }
    f.scratch = lower(f.image) == "scratch";
    f.stage_reference = stages.count(lower(f.image)) > 0;
    const Token& t = toks[k];
    f.begin = l.origin[t.first];
    f.end = l.origin[t.last - 1] + 1;
    f.rewritable = f.end - f.begin == t.last - t.first;
    if (!f.stage.empty()) stages.insert(f.stage);
    out.froms.push_back(std::move(f));
  }
  return out;
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
