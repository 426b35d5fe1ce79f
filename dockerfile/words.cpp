#include "dockerfile/words.h"

#include "base/errors.h"

namespace dct::trust {

namespace {

// unicode.IsSpace(rune(b)) on a single byte, as extractBuilderFlags applies it: the Latin-1
// spaces NEL (0x85) and NBSP (0xA0) count even inside a UTF-8 sequence.
bool flag_space(unsigned char b) {
  return b == ' ' || (b >= '\t' && b <= '\r') || b == 0x85 || b == 0xA0;
}

bool blank(char c) { return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' '; }

[[noreturn]] void bad_csv(const std::string& value, const char* why) {
  throw Error(ErrorCode::dockerfile_invalid,
              "the mount value \"" + value + "\" is not valid CSV: " + why);
}

}  // namespace

void Traced::push(char c, std::size_t offset) {
  text.push_back(c);
  at.push_back(offset);
}

Traced Traced::substr(std::size_t pos, std::size_t n) const {
  Traced out;
  if (pos > text.size()) return out;
  n = std::min(n, text.size() - pos);
  out.text = text.substr(pos, n);
  out.at.assign(at.begin() + static_cast<std::ptrdiff_t>(pos),
                at.begin() + static_cast<std::ptrdiff_t>(pos + n));
  return out;
}

bool Traced::contiguous() const {
  for (std::size_t i = 1; i < at.size(); ++i)
    if (at[i] != at[i - 1] + 1) return false;
  return true;
}

std::size_t space_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  const auto b = [&](std::size_t k) {
    return pos + k < s.size() ? static_cast<unsigned char>(s[pos + k]) : 0u;
  };
  const unsigned c0 = b(0);
  if (c0 < 0x80) return c0 == ' ' || (c0 >= '\t' && c0 <= '\r') ? 1 : 0;
  if (c0 == 0xC2) return b(1) == 0x85 || b(1) == 0xA0 ? 2 : 0;  // U+0085, U+00A0
  if (c0 == 0xE1) return b(1) == 0x9A && b(2) == 0x80 ? 3 : 0;  // U+1680
  if (c0 == 0xE2 && b(1) == 0x80) {  // U+2000..U+200A, U+2028, U+2029, U+202F
    const unsigned c2 = b(2);
    return (c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF ? 3 : 0;
  }
  if (c0 == 0xE2 && b(1) == 0x81) return b(2) == 0x9F ? 3 : 0;  // U+205F
  if (c0 == 0xE3) return b(1) == 0x80 && b(2) == 0x80 ? 3 : 0;  // U+3000
  return 0;
}

std::size_t space_before(std::string_view s, std::size_t end) {
  for (std::size_t len = 1; len <= 3 && len <= end; ++len)
    if (space_at(s, end - len) == len) return len;
  return 0;
}

Traced trim_space(const Traced& s) {
  std::size_t b = 0, e = s.text.size();
  while (std::size_t n = space_at(s.text, b)) b += n;
  while (e > b)
    if (std::size_t n = space_before(s.text, e))
      e -= n;
    else
      break;
  return s.substr(b, e - b);
}

std::string go_lower(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (s.substr(i, 2) == "\xC4\xB0") {  // U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE
      out.push_back('i');
      ++i;
    } else if (s.substr(i, 3) == "\xE2\x84\xAA") {  // U+212A KELVIN SIGN
      out.push_back('k');
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

InstructionWords split_instruction(const Traced& line_in, char escape) {
  InstructionWords out;
  const Traced line = trim_space(line_in);
  const std::string& t = line.text;
  std::size_t name_end = 0;
  while (name_end < t.size() && !blank(t[name_end])) ++name_end;
  out.name = go_lower(t.substr(0, name_end));
  std::size_t pos = name_end;
  while (pos < t.size() && blank(t[pos])) ++pos;
  if (pos >= t.size()) return out;

  // extractBuilderFlags, character for character.
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  Traced word;
  char quote = 0;
  bool blank_ok = false;
  std::size_t rest = t.size();
  for (; pos <= t.size(); ++pos) {
    const bool at_end = pos == t.size();
    char ch = at_end ? 0 : t[pos];
    if (phase == in_spaces) {
      if (at_end) break;
      if (flag_space(static_cast<unsigned char>(ch))) continue;
      if (ch != '-' || pos + 1 == t.size() || t[pos + 1] != '-') {
        rest = pos;
        break;
      }
      phase = in_word;
    }
    if (at_end) {
      if (word.text != "--" && (blank_ok || !word.text.empty())) out.flags.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (flag_space(static_cast<unsigned char>(ch))) {
        phase = in_spaces;
        if (word.text == "--") {
          rest = pos;
          break;
        }
        if (blank_ok || !word.text.empty()) out.flags.push_back(word);
        word = Traced{};
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = in_quote;
        continue;
      }
      if (ch == escape) {
        if (pos + 1 == t.size()) continue;
        ch = t[++pos];
      }
      word.push(ch, line.at[pos]);
      continue;
    }
    if (ch == quote) {
      phase = in_word;
      continue;
    }
    if (ch == escape) {
      if (pos + 1 == t.size()) {
        phase = in_word;
        continue;
      }
      ch = t[++pos];
    }
    word.push(ch, line.at[pos]);
  }
  out.args = trim_space(line.substr(rest));
  return out;
}

std::vector<Traced> split_on_blanks(const Traced& args) {
  std::vector<Traced> out;
  std::size_t i = 0;
  const std::string& t = args.text;
  while (i < t.size()) {
    while (i < t.size() && blank(t[i])) ++i;
    if (i >= t.size()) break;
    const std::size_t start = i;
    while (i < t.size() && !blank(t[i])) ++i;
    out.push_back(args.substr(start, i - start));
  }
  return out;
}

std::optional<DirectiveMatch> match_directive(std::string_view s) {
  // Go's \s is ASCII: no \v.
  const auto space = [](char c) {
    return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
  };
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  std::size_t i = 0;
  while (std::size_t n = space_at(s, i)) i += n;
  const std::size_t key_begin = i;
  if (i >= s.size() || !alpha(s[i])) return std::nullopt;
  while (i < s.size() && (alpha(s[i]) || (s[i] >= '0' && s[i] <= '9'))) ++i;
  DirectiveMatch m;
  m.key = go_lower(s.substr(key_begin, i - key_begin));
  while (i < s.size() && space(s[i])) ++i;
  if (i >= s.size() || s[i] != '=') return std::nullopt;
  if (++i == s.size()) return std::nullopt;
  std::size_t end = s.size();
  while (end > i && space(s[end - 1])) --end;
  std::size_t begin = i;
  while (begin < end && space(s[begin])) ++begin;
  if (begin == end) begin = s.size() - 1, end = s.size();  // (.+?) keeps one blank
  m.value_begin = begin;
  m.value_end = end;
  return m;
}

std::vector<Traced> csv_fields(const Traced& value) {
  const std::string& t = value.text;
  if (t.empty()) bad_csv(t, "it is empty");
  std::vector<Traced> out;
  std::size_t pos = 0;
  while (true) {
    if (pos >= t.size() || t[pos] != '"') {
      std::size_t comma = t.find(',', pos);
      const std::size_t end = comma == std::string::npos ? t.size() : comma;
      Traced field = value.substr(pos, end - pos);
      if (field.text.find('"') != std::string::npos) bad_csv(t, "a quote inside an unquoted field");
      out.push_back(std::move(field));
      if (comma == std::string::npos) break;
      pos = comma + 1;
      continue;
    }
    // A quoted field: up to the quote that is followed by a comma or the end; "" is a quote.
    Traced field;
    ++pos;
    while (true) {
      const std::size_t q = t.find('"', pos);
      if (q == std::string::npos) bad_csv(t, "a quoted field is not closed");
      for (std::size_t k = pos; k < q; ++k) field.push(t[k], value.at[k]);
      pos = q + 1;
      if (pos < t.size() && t[pos] == '"') {
        field.push('"', value.at[pos]);
        ++pos;
        continue;
      }
      if (pos == t.size()) {
        out.push_back(std::move(field));
        return out;
      }
      if (t[pos] != ',') bad_csv(t, "text after a closing quote");
      ++pos;
      break;
    }
    out.push_back(std::move(field));
  }
  return out;
}

}  // namespace dct::trust
