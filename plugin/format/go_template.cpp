#include "plugin/format/go_template.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <variant>
#include <vector>

#include "base/errors.h"

namespace dct::plugin::format {

using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kTemplateHint =
    "supported: {{.Field}}, {{.A.B}}, {{json .}}, {{range .List}}{{.}}{{end}}, "
    "{{if .X}}...{{else}}...{{end}}, {{join .List \", \"}}, upper, lower, title, split, println, "
    "len, index, eq, ne, not, and, or, pipes, and a \"table \" prefix with \\t between columns";

[[noreturn]] void template_error(std::size_t column, const std::string& what) {
  throw Error(ErrorCode::invalid_argument,
              fmt::format("--format: {} at column {} of the template", what, column + 1),
              kTemplateHint);
}

const std::set<std::string, std::less<>>& template_functions() {
  static const std::set<std::string, std::less<>> names{
      "and", "eq",  "index", "join",    "json",  "len",   "lower",    "ne",   "not",
      "or",  "pad", "print", "println", "split", "title", "truncate", "upper"};
  return names;
}

}  // namespace

// ---- the tree ----

struct TemplatePipeline;

struct TemplateTerm {
  enum class Kind { dot, variable, literal, function, nested } kind = Kind::dot;
  std::size_t column = 0;
  std::string name;                          // variable name ("$", "$x") or function name
  std::vector<std::string> fields;           // .A.B after the term
  Json literal;                              // for literals
  std::shared_ptr<TemplatePipeline> nested;  // ( pipeline )
};

struct TemplateCommand {
  std::vector<TemplateTerm> terms;
  std::size_t column = 0;
};

struct TemplatePipeline {
  std::vector<std::string> declared;  // $x := ... or $i, $e := ...
  bool assign = false;                // $x = ...
  std::vector<TemplateCommand> commands;
  std::size_t column = 0;
};

struct TemplateNode {
  enum class Kind { text, action, if_, range, with } kind = Kind::text;
  std::size_t column = 0;
  std::string text;
  TemplatePipeline pipe;
  std::vector<TemplateNode> body, otherwise;
};

struct TemplateNodes {
  std::vector<TemplateNode> list;
};

// ---- parsing ----

namespace {

struct TemplateToken {
  enum class Kind {
    field,       // .A.B or "." alone (text holds "A.B" or "")
    variable,    // $ or $x, with fields
    identifier,  // if, range, join, ...
    string,
    number,
    open,
    close,
    pipe,
    declare,  // :=
    assign,   // =
    comma,
    end  // }}
  } kind;
  std::size_t column;
  std::string text;
  std::vector<std::string> fields;
  Json value;
};

bool template_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class TemplateParser {
 public:
  TemplateParser(std::string_view text, std::size_t base) : s_(text), base_(base) {}

  TemplateNodes parse() {
    TemplateNodes out;
    auto stop = parse_list(out.list);
    if (stop.kind != Stop::Kind::eof)
      template_error(stop.column, fmt::format("unexpected {{{{{}}}}}", stop.word));
    return out;
  }

 private:
  struct Stop {
    enum class Kind { eof, end, else_, else_if, else_with } kind;
    std::size_t column = 0;
    std::string word;
    TemplatePipeline pipe;  // for else if / else with
  };

  std::string_view s_;
  std::size_t base_;
  std::size_t i_ = 0;
  bool trim_next_text_ = false;

  std::size_t col(std::size_t at) const { return base_ + at; }

  // Reads text up to the next action; returns false at the end of the template.
  bool read_text(std::vector<TemplateNode>& list) {
    std::size_t open = s_.find("{{", i_);
    std::string text(
        s_.substr(i_, open == std::string_view::npos ? std::string_view::npos : open - i_));
    std::size_t text_column = i_;
    if (trim_next_text_) {
      const auto first = text.find_first_not_of(" \t\r\n");
      text = first == std::string::npos ? "" : text.substr(first);
      trim_next_text_ = false;
    }
    bool trim_left = open != std::string_view::npos && open + 2 < s_.size() &&
                     s_[open + 2] == '-' && open + 3 < s_.size() &&
                     std::isspace(static_cast<unsigned char>(s_[open + 3]));
    if (trim_left) {
      const auto last = text.find_last_not_of(" \t\r\n");
      text.resize(last == std::string::npos ? 0 : last + 1);
    }
    if (!text.empty()) {
      TemplateNode n;
      n.kind = TemplateNode::Kind::text;
      n.column = col(text_column);
      n.text = unescape_text(text);
      list.push_back(std::move(n));
    }
    if (open == std::string_view::npos) {
      i_ = s_.size();
      return false;
    }
    i_ = open + 2 + (trim_left ? 2 : 0);
    return true;
  }

  // As docker does with the --format value: a typed \t or \n is a tab or a newline.
  static std::string unescape_text(const std::string& text) {
    std::string out;
    for (std::size_t k = 0; k < text.size(); ++k) {
      if (text[k] == '\\' && k + 1 < text.size() && (text[k + 1] == 't' || text[k + 1] == 'n')) {
        out += text[k + 1] == 't' ? '\t' : '\n';
        ++k;
      } else {
        out += text[k];
      }
    }
    return out;
  }

  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n'))
      ++i_;
  }

  std::vector<std::string> read_fields() {
    std::vector<std::string> fields;
    while (i_ < s_.size() && s_[i_] == '.' && i_ + 1 < s_.size() &&
           template_ident_char(s_[i_ + 1])) {
      ++i_;
      std::size_t start = i_;
      while (i_ < s_.size() && template_ident_char(s_[i_])) ++i_;
      fields.emplace_back(s_.substr(start, i_ - start));
    }
    return fields;
  }

  std::string read_quoted(std::size_t start) {
    std::string out;
    ++i_;
    while (true) {
      if (i_ >= s_.size() || s_[i_] == '\n') template_error(col(start), "unterminated string");
      char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) template_error(col(start), "unterminated string");
      char e = s_[i_++];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '\\':
          out += '\\';
          break;
        case '"':
          out += '"';
          break;
        case '\'':
          out += '\'';
          break;
        default:
          template_error(col(i_ - 2), fmt::format("unsupported escape \\{} in a string", e));
      }
    }
  }

  TemplateToken next() {
    skip_space();
    TemplateToken t{TemplateToken::Kind::end, col(i_), {}, {}, {}};
    if (i_ >= s_.size()) template_error(col(i_), "unclosed action (no \"}}\")");
    const std::size_t start = i_;
    const char c = s_[i_];
    if (c == '-' && i_ + 2 < s_.size() && s_[i_ + 1] == '}' && s_[i_ + 2] == '}' && start > 0 &&
        std::isspace(static_cast<unsigned char>(s_[start - 1]))) {
      i_ += 3;
      trim_next_text_ = true;
      return t;
    }
    if (c == '}' && i_ + 1 < s_.size() && s_[i_ + 1] == '}') {
      i_ += 2;
      return t;
    }
    if (c == '.') {
      t.kind = TemplateToken::Kind::field;
      if (i_ + 1 < s_.size() && template_ident_char(s_[i_ + 1])) {
        t.fields = read_fields();
      } else {
        ++i_;
      }
      return t;
    }
    if (c == '$') {
      t.kind = TemplateToken::Kind::variable;
      ++i_;
      while (i_ < s_.size() && template_ident_char(s_[i_])) ++i_;
      t.text = std::string(s_.substr(start, i_ - start));
      t.fields = read_fields();
      return t;
    }
    if (c == '"') {
      t.kind = TemplateToken::Kind::string;
      t.value = read_quoted(start);
      return t;
    }
    if (c == '`') {
      auto close = s_.find('`', i_ + 1);
      if (close == std::string_view::npos) template_error(col(start), "unterminated raw string");
      t.kind = TemplateToken::Kind::string;
      t.value = std::string(s_.substr(i_ + 1, close - i_ - 1));
      i_ = close + 1;
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        ((c == '-' || c == '+') && i_ + 1 < s_.size() &&
         std::isdigit(static_cast<unsigned char>(s_[i_ + 1])))) {
      ++i_;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.'))
        ++i_;
      const std::string digits(s_.substr(start, i_ - start));
      t.kind = TemplateToken::Kind::number;
      t.value = Json::parse(digits[0] == '+' ? digits.substr(1) : digits, nullptr, false);
      if (t.value.is_discarded() || !t.value.is_number())
        template_error(col(start), fmt::format("bad number \"{}\"", digits));
      return t;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i_ < s_.size() && template_ident_char(s_[i_])) ++i_;
      t.kind = TemplateToken::Kind::identifier;
      t.text = std::string(s_.substr(start, i_ - start));
      return t;
    }
    ++i_;
    switch (c) {
      case '(':
        t.kind = TemplateToken::Kind::open;
        return t;
      case ')':
        t.kind = TemplateToken::Kind::close;
        return t;
      case '|':
        t.kind = TemplateToken::Kind::pipe;
        return t;
      case ',':
        t.kind = TemplateToken::Kind::comma;
        return t;
      case '=':
        t.kind = TemplateToken::Kind::assign;
        return t;
      case ':':
        if (i_ < s_.size() && s_[i_] == '=') {
          ++i_;
          t.kind = TemplateToken::Kind::declare;
          return t;
        }
        break;
      default:
        break;
    }
    template_error(col(start), fmt::format("unexpected \"{}\"", c));
  }

  TemplateToken peek() {
    const std::size_t saved = i_;
    const bool trim = trim_next_text_;
    TemplateToken t = next();
    i_ = saved;
    trim_next_text_ = trim;
    return t;
  }

  // A pipeline up to "}}" (or ")" when nested).
  TemplatePipeline parse_pipeline(bool nested) {
    TemplatePipeline p;
    p.column = col(i_);
    // Declarations: $x := / $i, $e := / $x =
    {
      const std::size_t saved = i_;
      const bool saved_trim = trim_next_text_;
      std::vector<std::string> names;
      TemplateToken t = next();
      while (t.kind == TemplateToken::Kind::variable && t.fields.empty()) {
        names.push_back(t.text);
        TemplateToken sep = next();
        if (sep.kind == TemplateToken::Kind::comma && names.size() < 2) {
          t = next();
          continue;
        }
        if (sep.kind == TemplateToken::Kind::declare ||
            (sep.kind == TemplateToken::Kind::assign && names.size() == 1)) {
          p.declared = names;
          p.assign = sep.kind == TemplateToken::Kind::assign;
        }
        break;
      }
      if (p.declared.empty()) {
        i_ = saved;
        trim_next_text_ = saved_trim;
      }
    }
    while (true) {
      TemplateCommand cmd;
      cmd.column = col(i_);
      while (true) {
        TemplateToken t = peek();
        if (t.kind == TemplateToken::Kind::end) {
          if (nested) template_error(t.column, "unclosed \"(\"");
          break;
        }
        if (t.kind == TemplateToken::Kind::close) {
          if (!nested) template_error(t.column, "unexpected \")\"");
          break;
        }
        if (t.kind == TemplateToken::Kind::pipe) break;
        next();
        cmd.terms.push_back(term_of(t));
      }
      if (cmd.terms.empty()) template_error(cmd.column, "missing value in the pipeline");
      p.commands.push_back(std::move(cmd));
      TemplateToken t = next();
      if (t.kind == TemplateToken::Kind::pipe) continue;
      break;  // "}}" or ")" consumed
    }
    if (!p.declared.empty() && p.commands.size() == 1 && p.commands[0].terms.empty())
      template_error(p.column, "missing value after :=");
    return p;
  }

  TemplateTerm term_of(const TemplateToken& t) {
    TemplateTerm term;
    term.column = t.column;
    switch (t.kind) {
      case TemplateToken::Kind::field:
        term.kind = TemplateTerm::Kind::dot;
        term.fields = t.fields;
        return term;
      case TemplateToken::Kind::variable:
        term.kind = TemplateTerm::Kind::variable;
        term.name = t.text;
        term.fields = t.fields;
        return term;
      case TemplateToken::Kind::string:
      case TemplateToken::Kind::number:
        term.kind = TemplateTerm::Kind::literal;
        term.literal = t.value;
        return term;
      case TemplateToken::Kind::open:
        term.kind = TemplateTerm::Kind::nested;
        term.nested = std::make_shared<TemplatePipeline>(parse_pipeline(true));
        term.fields = read_fields();
        return term;
      case TemplateToken::Kind::identifier:
        if (t.text == "true" || t.text == "false") {
          term.kind = TemplateTerm::Kind::literal;
          term.literal = t.text == "true";
          return term;
        }
        if (t.text == "nil") {
          term.kind = TemplateTerm::Kind::literal;
          term.literal = nullptr;
          return term;
        }
        if (template_functions().count(t.text) == 0)
          template_error(t.column, fmt::format("unsupported function \"{}\"", t.text));
        term.kind = TemplateTerm::Kind::function;
        term.name = t.text;
        return term;
      default:
        template_error(t.column, "unexpected token in the pipeline");
    }
  }

  // Parses nodes until {{end}}, {{else ...}} or the end of the template.
  Stop parse_list(std::vector<TemplateNode>& list) {
    while (true) {
      if (!read_text(list)) return {Stop::Kind::eof, col(i_), "", {}};
      const std::size_t action_start = i_;
      skip_space();
      // {{/* comment */}}
      if (s_.substr(i_, 2) == "/*") {
        auto close = s_.find("*/", i_ + 2);
        if (close == std::string_view::npos) template_error(col(i_), "unclosed comment");
        i_ = close + 2;
        if (next().kind != TemplateToken::Kind::end)
          template_error(col(i_), "comment ends without \"}}\"");
        continue;
      }
      TemplateToken t = peek();
      if (t.kind == TemplateToken::Kind::end)
        template_error(col(action_start), "empty action {{}}");
      if (t.kind == TemplateToken::Kind::identifier) {
        const std::string& w = t.text;
        if (w == "end") {
          next();
          expect_end("end");
          return {Stop::Kind::end, t.column, "end", {}};
        }
        if (w == "else") {
          next();
          TemplateToken after = peek();
          if (after.kind == TemplateToken::Kind::identifier &&
              (after.text == "if" || after.text == "with")) {
            next();
            Stop s{after.text == "if" ? Stop::Kind::else_if : Stop::Kind::else_with, t.column,
                   "else " + after.text, parse_pipeline(false)};
            return s;
          }
          expect_end("else");
          return {Stop::Kind::else_, t.column, "else", {}};
        }
        if (w == "if" || w == "range" || w == "with") {
          next();
          list.push_back(parse_block(w, t.column, parse_pipeline(false)));
          continue;
        }
        if (w == "define" || w == "template" || w == "block" || w == "break" || w == "continue")
          template_error(t.column, fmt::format("unsupported action \"{}\"", w));
      }
      TemplateNode n;
      n.kind = TemplateNode::Kind::action;
      n.column = t.column;
      n.pipe = parse_pipeline(false);
      list.push_back(std::move(n));
    }
  }

  void expect_end(const std::string& word) {
    TemplateToken t = next();
    if (t.kind != TemplateToken::Kind::end)
      template_error(t.column, fmt::format("unexpected text after {{{{{}", word));
  }

  TemplateNode parse_block(const std::string& word, std::size_t column, TemplatePipeline pipe) {
    TemplateNode n;
    n.kind = word == "if"      ? TemplateNode::Kind::if_
             : word == "range" ? TemplateNode::Kind::range
                               : TemplateNode::Kind::with;
    n.column = column;
    n.pipe = std::move(pipe);
    if (n.kind == TemplateNode::Kind::range && n.pipe.assign)
      template_error(column, "range takes := not =");
    Stop stop = parse_list(n.body);
    switch (stop.kind) {
      case Stop::Kind::eof:
        template_error(column, fmt::format("{{{{{}}}}} without {{{{end}}}}", word));
      case Stop::Kind::end:
        return n;
      case Stop::Kind::else_if:
      case Stop::Kind::else_with:
        if (n.kind == TemplateNode::Kind::range)
          template_error(stop.column, fmt::format("{{{{{}}}}} inside {{{{range}}}}", stop.word));
        // {{else if X}} is {{else}}{{if X}}...{{end}} sharing one {{end}}.
        n.otherwise.push_back(
            parse_block(stop.kind == Stop::Kind::else_if ? "if" : "with", stop.column, stop.pipe));
        return n;
      case Stop::Kind::else_: {
        Stop last = parse_list(n.otherwise);
        if (last.kind != Stop::Kind::end)
          template_error(last.kind == Stop::Kind::eof ? column : last.column,
                         fmt::format("{{{{{}}}}} without {{{{end}}}}", word));
        return n;
      }
    }
    return n;
  }
};

// ---- running ----

// A value, or none: what Go calls an invalid value (a missing field), printed "<no value>".
using TemplateValue = std::optional<Json>;

std::string template_print(const TemplateValue& v);

std::string template_print_json(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "<nil>";
    case Json::value_t::string:
      return j.get<std::string>();
    case Json::value_t::boolean:
      return j.get<bool>() ? "true" : "false";
    case Json::value_t::number_float:
      return fmt::format("{}", j.get<double>());
    case Json::value_t::array: {
      std::string out = "[";
      for (std::size_t k = 0; k < j.size(); ++k) out += (k ? " " : "") + template_print_json(j[k]);
      return out + "]";
    }
    case Json::value_t::object: {
      std::vector<std::string> keys;
      for (const auto& [k, _] : j.items()) keys.push_back(k);
      std::sort(keys.begin(), keys.end());
      std::string out = "map[";
      for (std::size_t k = 0; k < keys.size(); ++k)
        out += (k ? " " : "") + keys[k] + ":" + template_print_json(j.at(keys[k]));
      return out + "]";
    }
    default:
      return j.dump();
  }
}

std::string template_print(const TemplateValue& v) {
  return v ? template_print_json(*v) : "<no value>";
}

bool template_truth(const TemplateValue& v) {
  if (!v) return false;
  switch (v->type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return v->get<bool>();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return v->get<double>() != 0;
    case Json::value_t::string:
      return !v->get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object:
      return !v->empty();
    default:
      return true;
  }
}

std::string template_type_name(const TemplateValue& v) {
  if (!v) return "no value";
  return v->type_name();
}

std::string template_fold_key(std::string_view key) {
  std::string out;
  for (char c : key)
    if (c != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class TemplateRun {
 public:
  explicit TemplateRun(const Json& root) { vars_.push_back({"$", root}); }

  std::string run(const std::vector<TemplateNode>& list, const TemplateValue& dot) {
    std::string out;
    walk(list, dot, out);
    return out;
  }

 private:
  std::vector<std::pair<std::string, TemplateValue>> vars_;

  void walk(const std::vector<TemplateNode>& list, const TemplateValue& dot, std::string& out) {
    for (const auto& n : list) {
      const std::size_t scope = vars_.size();
      switch (n.kind) {
        case TemplateNode::Kind::text:
          out += n.text;
          break;
        case TemplateNode::Kind::action: {
          TemplateValue v = pipeline(n.pipe, dot);
          if (n.pipe.declared.empty()) out += template_print(v);
          continue;  // a declared variable lives until the end of the enclosing block
        }
        case TemplateNode::Kind::if_:
        case TemplateNode::Kind::with: {
          TemplateValue v = pipeline(n.pipe, dot);
          if (template_truth(v))
            walk(n.body, n.kind == TemplateNode::Kind::with ? v : dot, out);
          else
            walk(n.otherwise, dot, out);
          break;
        }
        case TemplateNode::Kind::range:
          range(n, dot, out);
          break;
      }
      vars_.resize(scope);
    }
  }

  void range(const TemplateNode& n, const TemplateValue& dot, std::string& out) {
    TemplatePipeline head = n.pipe;
    const std::vector<std::string> names = head.declared;
    head.declared.clear();
    TemplateValue v = pipeline(head, dot);
    if (!v || v->is_null() || ((v->is_array() || v->is_object()) && v->empty())) {
      walk(n.otherwise, dot, out);
      return;
    }
    const std::size_t scope = vars_.size();
    auto each = [&](const Json& key, const Json& element) {
      vars_.resize(scope);
      if (names.size() == 1) vars_.push_back({names[0], element});
      if (names.size() == 2) {
        vars_.push_back({names[0], key});
        vars_.push_back({names[1], element});
      }
      walk(n.body, element, out);
    };
    if (v->is_array()) {
      for (std::size_t k = 0; k < v->size(); ++k) each(Json(k), (*v)[k]);
    } else if (v->is_object()) {
      std::vector<std::string> keys;
      for (const auto& [k, _] : v->items()) keys.push_back(k);
      std::sort(keys.begin(), keys.end());  // as Go ranges over a map
      for (const auto& k : keys) each(Json(k), v->at(k));
    } else {
      template_error(n.column, fmt::format("range can't iterate over {}", template_print(v)));
    }
    vars_.resize(scope);
  }

  TemplateValue variable(const std::string& name, std::size_t column) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) return it->second;
    template_error(column, fmt::format("undefined variable \"{}\"", name));
  }

  static TemplateValue field(const TemplateValue& base, const std::string& name,
                             std::size_t column) {
    if (!base || base->is_null()) return std::nullopt;
    if (!base->is_object())
      template_error(column, fmt::format("can't evaluate field {} in type {}", name,
                                         template_type_name(base)));
    if (auto it = base->find(name); it != base->end()) return *it;
    const std::string folded = template_fold_key(name);
    for (const auto& [k, v] : base->items())
      if (template_fold_key(k) == folded) return v;
    return std::nullopt;
  }

  static TemplateValue fields(TemplateValue v, const std::vector<std::string>& names,
                              std::size_t column) {
    for (const auto& f : names) v = field(v, f, column);
    return v;
  }

  TemplateValue pipeline(const TemplatePipeline& p, const TemplateValue& dot) {
    std::optional<TemplateValue> piped;
    for (const auto& c : p.commands) piped = command(c, dot, piped);
    TemplateValue v = piped ? *piped : std::nullopt;
    if (p.assign) {
      for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
        if (it->first == p.declared[0]) {
          it->second = v;
          return v;
        }
      template_error(p.column, fmt::format("undefined variable \"{}\"", p.declared[0]));
    }
    for (const auto& name : p.declared) vars_.push_back({name, v});
    return v;
  }

  TemplateValue term(const TemplateTerm& t, const TemplateValue& dot) {
    switch (t.kind) {
      case TemplateTerm::Kind::dot:
        return fields(dot, t.fields, t.column);
      case TemplateTerm::Kind::variable:
        return fields(variable(t.name, t.column), t.fields, t.column);
      case TemplateTerm::Kind::literal:
        return t.literal;
      case TemplateTerm::Kind::nested:
        return fields(pipeline(*t.nested, dot), t.fields, t.column);
      case TemplateTerm::Kind::function:
        return call(t.name, {}, t.column);
    }
    return std::nullopt;
  }

  TemplateValue command(const TemplateCommand& c, const TemplateValue& dot,
                        const std::optional<TemplateValue>& piped) {
    const TemplateTerm& head = c.terms.front();
    if (head.kind != TemplateTerm::Kind::function) {
      if (c.terms.size() > 1 || piped)
        template_error(c.terms.size() > 1 ? c.terms[1].column : head.column,
                       "can't give an argument to a value that is not a function");
      return term(head, dot);
    }
    std::vector<TemplateValue> args;
    for (std::size_t k = 1; k < c.terms.size(); ++k) {
      if (c.terms[k].kind == TemplateTerm::Kind::function)
        args.push_back(call(c.terms[k].name, {}, c.terms[k].column));
      else
        args.push_back(term(c.terms[k], dot));
    }
    if (piped) args.push_back(*piped);
    return call(head.name, args, head.column);
  }

  static void want_args(const std::string& f, const std::vector<TemplateValue>& args, std::size_t n,
                        std::size_t column) {
    if (args.size() != n)
      template_error(column, fmt::format("wrong number of arguments for {}: want {} got {}", f, n,
                                         args.size()));
  }

  static std::string text_arg(const std::string& f, const TemplateValue& v, std::size_t column) {
    if (!v || !v->is_string())
      template_error(column, fmt::format("{} wants a string, got {}", f, template_type_name(v)));
    return v->get<std::string>();
  }

  static long long int_arg(const std::string& f, const TemplateValue& v, std::size_t column) {
    if (!v || !v->is_number_integer())
      template_error(column, fmt::format("{} wants an integer, got {}", f, template_type_name(v)));
    return v->get<long long>();
  }

  static std::string print_args(const std::vector<TemplateValue>& args, bool line) {
    std::string out;
    for (std::size_t k = 0; k < args.size(); ++k) {
      // Go's Sprint puts a space between operands when neither is a string; Sprintln always.
      const bool str = args[k] && args[k]->is_string();
      const bool prev_str = k > 0 && args[k - 1] && args[k - 1]->is_string();
      if (k > 0 && (line || (!str && !prev_str))) out += ' ';
      out += template_print(args[k]);
    }
    return line ? out + "\n" : out;
  }

  static TemplateValue call(const std::string& f, const std::vector<TemplateValue>& args,
                            std::size_t column) {
    if (f == "json") {
      want_args(f, args, 1, column);
      return args[0] ? args[0]->dump() : "null";
    }
    if (f == "upper" || f == "lower" || f == "title") {
      want_args(f, args, 1, column);
      std::string s = text_arg(f, args[0], column);
      bool start = true;
      for (char& ch : s) {
        auto u = static_cast<unsigned char>(ch);
        if (f == "upper") ch = static_cast<char>(std::toupper(u));
        if (f == "lower") ch = static_cast<char>(std::tolower(u));
        if (f == "title") {
          if (start) ch = static_cast<char>(std::toupper(u));
          start = !std::isalnum(u);
        }
      }
      return s;
    }
    if (f == "join") {
      want_args(f, args, 2, column);
      if (!args[0] || !args[0]->is_array())
        template_error(column,
                       fmt::format("join wants a list, got {}", template_type_name(args[0])));
      const std::string sep = text_arg(f, args[1], column);
      std::string out;
      for (std::size_t k = 0; k < args[0]->size(); ++k)
        out += (k ? sep : "") + template_print_json((*args[0])[k]);
      return out;
    }
    if (f == "split") {
      want_args(f, args, 2, column);
      const std::string s = text_arg(f, args[0], column), sep = text_arg(f, args[1], column);
      Json out = Json::array();
      if (sep.empty()) {
        for (char ch : s) out.push_back(std::string(1, ch));
        return out;
      }
      std::size_t from = 0;
      for (auto at = s.find(sep); at != std::string::npos; at = s.find(sep, from)) {
        out.push_back(s.substr(from, at - from));
        from = at + sep.size();
      }
      out.push_back(s.substr(from));
      return out;
    }
    if (f == "println" || f == "print") return print_args(args, f == "println");
    if (f == "len") {
      want_args(f, args, 1, column);
      if (!args[0] || !(args[0]->is_array() || args[0]->is_object() || args[0]->is_string()))
        template_error(column, fmt::format("len of {}", template_type_name(args[0])));
      return args[0]->is_string() ? args[0]->get<std::string>().size() : args[0]->size();
    }
    if (f == "index") {
      if (args.empty()) template_error(column, "index wants a value");
      TemplateValue v = args[0];
      for (std::size_t k = 1; k < args.size(); ++k) {
        if (!v || v->is_null()) return std::nullopt;
        if (v->is_array()) {
          const long long at = int_arg(f, args[k], column);
          if (at < 0 || static_cast<std::size_t>(at) >= v->size())
            template_error(column, fmt::format("index out of range: {}", at));
          v = (*v)[static_cast<std::size_t>(at)];
        } else if (v->is_object()) {
          const std::string key = text_arg(f, args[k], column);
          auto it = v->find(key);
          v = it == v->end() ? TemplateValue() : TemplateValue(*it);
        } else {
          template_error(column, fmt::format("can't index item of type {}", template_type_name(v)));
        }
      }
      return v;
    }
    if (f == "eq" || f == "ne") {
      if (args.size() < 2 || (f == "ne" && args.size() != 2))
        template_error(column, fmt::format("wrong number of arguments for {}", f));
      bool equal = false;
      for (std::size_t k = 1; k < args.size(); ++k) equal = equal || args[0] == args[k];
      return f == "eq" ? equal : !equal;
    }
    if (f == "not") {
      want_args(f, args, 1, column);
      return !template_truth(args[0]);
    }
    if (f == "and" || f == "or") {
      if (args.empty()) template_error(column, fmt::format("{} wants arguments", f));
      for (const auto& a : args)
        if (template_truth(a) == (f == "or")) return a;
      return args.back();
    }
    if (f == "truncate") {
      want_args(f, args, 2, column);
      const std::string s = text_arg(f, args[0], column);
      const long long n = int_arg(f, args[1], column);
      return n >= 0 && static_cast<std::size_t>(n) < s.size()
                 ? s.substr(0, static_cast<std::size_t>(n))
                 : s;
    }
    if (f == "pad") {
      want_args(f, args, 3, column);
      const std::string s = text_arg(f, args[0], column);
      const long long left = int_arg(f, args[1], column), right = int_arg(f, args[2], column);
      return std::string(static_cast<std::size_t>(std::max(0LL, left)), ' ') + s +
             std::string(static_cast<std::size_t>(std::max(0LL, right)), ' ');
    }
    template_error(column, fmt::format("unsupported function \"{}\"", f));
  }
};

// The first field a pipeline reads, for table headers.
std::optional<std::string> first_field(const TemplatePipeline& p) {
  for (const auto& c : p.commands)
    for (const auto& t : c.terms) {
      if (!t.fields.empty()) return t.fields.back();
      if (t.nested)
        if (auto f = first_field(*t.nested)) return f;
    }
  return std::nullopt;
}

}  // namespace

GoTemplate GoTemplate::parse(std::string_view text, std::size_t column_base) {
  GoTemplate t;
  t.nodes_ = std::make_shared<const TemplateNodes>(TemplateParser(text, column_base).parse());
  return t;
}

std::string GoTemplate::render(const Json& dot) const {
  return TemplateRun(dot).run(nodes_->list, dot);
}

std::string GoTemplate::render_header() const {
  std::string out;
  for (const auto& n : nodes_->list) {
    if (n.kind == TemplateNode::Kind::text) {
      out += n.text;
      continue;
    }
    if (auto f = first_field(n.pipe)) out += header_of(*f);
  }
  return out;
}

std::string header_of(std::string_view field) {
  std::string out;
  for (std::size_t k = 0; k < field.size(); ++k) {
    const auto c = static_cast<unsigned char>(field[k]);
    if (c == '_') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if (k > 0 && std::isupper(c)) {
      const auto prev = static_cast<unsigned char>(field[k - 1]);
      const bool next_lower =
          k + 1 < field.size() && std::islower(static_cast<unsigned char>(field[k + 1]));
      if ((std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower)) &&
          !out.empty() && out.back() != ' ')
        out += ' ';
    }
    out += static_cast<char>(std::toupper(c));
  }
  return out;
}

}  // namespace dct::plugin::format
