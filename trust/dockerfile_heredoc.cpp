#include "trust/dockerfile_heredoc.h"

#include <stdexcept>

#include "trust/errors.h"

namespace dct::trust {

namespace {

constexpr char32_t kEof = 0xFFFFFFFF;
constexpr char32_t kInvalid = 0xFFFD;

// Where the shell-word lexer gives up; BuildKit then sees no heredoc on the line.
struct LexError : std::runtime_error {
  LexError() : std::runtime_error("shell syntax") {}
};

bool is_space(char32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// One UTF-8 character at `pos` as Go decodes it: invalid bytes are U+FFFD, one byte long.
std::pair<char32_t, std::size_t> decode(std::string_view s, std::size_t pos) {
  const auto b = [&](std::size_t k) -> unsigned {
    return pos + k < s.size() ? static_cast<unsigned char>(s[pos + k]) : 0u;
  };
  const auto cont = [&](std::size_t k) { return (b(k) & 0xC0) == 0x80; };
  const unsigned c0 = b(0);
  if (c0 < 0x80) return {c0, 1};
  if (c0 >= 0xC2 && c0 <= 0xDF && cont(1)) return {((c0 & 0x1F) << 6) | (b(1) & 0x3F), 2};
  if (c0 >= 0xE0 && c0 <= 0xEF && cont(1) && cont(2)) {
    const char32_t c = ((c0 & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) return {c, 3};
  }
  if (c0 >= 0xF0 && c0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    const char32_t c =
        ((c0 & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    if (c >= 0x10000 && c <= 0x10FFFF) return {c, 4};
  }
  return {kInvalid, 1};
}

// The words being collected. Every nesting level shares one buffer, which each level clears
// when it starts: the quirk that drops the start of a word before a nested ${...:-...}.
struct Words {
  std::string* buf;
  std::vector<std::string> list;
  bool in_word = false;

  void add_raw_char(char32_t c) {
    append_utf8(*buf, c);
    in_word = true;
  }
  void add_char(char32_t c) {
    if (is_space(c)) {
      if (in_word && !buf->empty()) {
        list.push_back(*buf);
        buf->clear();
        in_word = false;
      }
    } else {
      add_raw_char(c);
    }
  }
  void add_string(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
      auto [c, n] = decode(s, i);
      add_char(c);
      i += n;
    }
  }
  void add_raw_string(std::string_view s) {
    *buf += s;
    in_word = true;
  }
  std::vector<std::string> take() {
    if (!buf->empty()) {
      list.push_back(*buf);
      buf->clear();
      in_word = false;
    }
    return std::move(list);
  }
};

// BuildKit's shell lexer with the options its heredoc detection uses: the backslash escape,
// unset variables left as written, no environment.
class Lexer {
 public:
  Lexer(std::string_view s, bool raw_quotes, bool raw_escapes)
      : s_(s), raw_quotes_(raw_quotes), raw_escapes_(raw_escapes) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // text/scanner skips a leading BOM
  }

  std::vector<std::string> words() { return stop_on(kEof, raw_escapes_).second; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  bool raw_quotes_;
  bool raw_escapes_;
  std::string shared_;
  int depth_ = 0;  // nested ${...}: Go's stack grows, this one is bounded

  char32_t peek() const { return pos_ < s_.size() ? decode(s_, pos_).first : kEof; }
  char32_t next() {
    if (pos_ >= s_.size()) return kEof;
    auto [c, n] = decode(s_, pos_);
    pos_ += n;
    return c;
  }

  std::pair<std::string, std::vector<std::string>> stop_on(char32_t stop, bool raw_escapes) {
    if (depth_ >= 256)
      throw Error(ErrorCode::dockerfile_invalid,
                  "${...} nested more than 256 deep on a line that may open a heredoc");
    struct Restore {
      bool& flag;
      bool saved;
      int& depth;
      ~Restore() {
        flag = saved;
        --depth;
      }
    } restore{raw_escapes_, raw_escapes_, ++depth_};
    raw_escapes_ = raw_escapes;
    std::string result;
    shared_.clear();
    Words words{&shared_, {}, false};
    while (peek() != kEof) {
      char32_t c = peek();
      if (stop != kEof && c == stop) {
        next();
        return {result, words.take()};
      }
      if (c == '$' || c == '<' || c == '\'' || c == '"') {
        const std::string part = c == '$'    ? dollar()
                                 : c == '<'  ? possible_heredoc()
                                 : c == '\'' ? single_quote()
                                             : double_quote();
        result += part;
        if (c == '$')
          words.add_string(part);
        else
          words.add_raw_string(part);
        continue;
      }
      c = next();
      if (c == '\\') {
        if (raw_escapes_) {
          words.add_raw_char(c);
          append_utf8(result, c);
        }
        c = next();
        if (c == kEof) break;
        words.add_raw_char(c);
      } else {
        words.add_char(c);
      }
      append_utf8(result, c);
    }
    if (stop != kEof) throw LexError();
    return {result, words.take()};
  }

  std::string single_quote() {
    std::string out;
    next();
    if (raw_quotes_) out += '\'';
    while (true) {
      const char32_t c = next();
      if (c == kEof) throw LexError();
      if (c == '\'') {
        if (raw_quotes_) out += '\'';
        return out;
      }
      append_utf8(out, c);
    }
  }

  std::string double_quote() {
    std::string out;
    next();
    if (raw_quotes_) out += '"';
    while (true) {
      const char32_t p = peek();
      if (p == kEof) throw LexError();
      if (p == '"') {
        next();
        if (raw_quotes_) out += '"';
        return out;
      }
      if (p == '$') {
        out += dollar();
        continue;
      }
      char32_t c = next();
      if (c == '\\') {
        if (raw_escapes_) out += '\\';
        const char32_t after = peek();
        if (after == kEof) continue;
        if (after == '"' || after == '$' || after == '\\') c = next();
      }
      append_utf8(out, c);
    }
  }

  std::string possible_heredoc() {
    next();
    if (peek() != '<') return "<";
    next();
    std::string out = "<<";
    while (peek() == '\t' || peek() == '\r' || peek() == ' ') append_utf8(out, next());
    return out;
  }

  static bool ascii_digit(char32_t c) { return c >= '0' && c <= '9'; }
  static bool ascii_letter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

  // processName. Outside braces it does not matter where a name ends (what follows is copied
  // all the same); inside them it decides between a substitution and a syntax error, and Go's
  // Unicode letter and digit tables are not repeated here, so such names are refused.
  std::string name(bool braced) {
    std::string out;
    while (peek() != kEof) {
      const char32_t c = peek();
      if (c >= 0x80 && !is_space(c)) {
        if (braced)
          throw Error(ErrorCode::dockerfile_invalid,
                      "a ${...} with a non-ASCII name on a line that may open a heredoc; "
                      "use an ASCII name");
        append_utf8(out, next());
        continue;
      }
      if (out.empty() && ascii_digit(c)) {
        while (ascii_digit(peek())) append_utf8(out, next());
        return out;
      }
      if (out.empty() && (c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' ||
                          c == '!' || c == '0')) {
        next();
        std::string one;
        append_utf8(one, c);
        return one;
      }
      if (!ascii_letter(c) && !ascii_digit(c) && c != '_') break;
      append_utf8(out, next());
    }
    return out;
  }

  std::string dollar() {
    next();
    if (peek() != '{') {
      const std::string n = name(false);
      return n.empty() ? "$" : "$" + n;
    }
    next();
    const char32_t first = peek();
    if (first == kEof || first == '{' || first == '}' || first == ':') throw LexError();
    const std::string n = name(true);
    char32_t c = next();
    std::string modifier;
    append_utf8(modifier, c == kEof ? kInvalid : c);
    if (c == '}') return "${" + n + "}";
    if (c == '/') {
      if (peek() == '/') next();
      const std::string pattern = stop_on('/', true).first;
      const std::string replacement = stop_on('}', true).first;
      return "${" + n + "/" + pattern + "/" + replacement + "}";
    }
    bool null_is_unset = false;
    if (c == ':') {
      null_is_unset = true;
      c = next();
      append_utf8(modifier, c == kEof ? kInvalid : c);
    } else if (c != '+' && c != '-' && c != '?' && c != '#' && c != '%') {
      throw LexError();
    }
    const bool raw = c == '#' || c == '%';
    if (null_is_unset && raw) throw LexError();
    const std::string word = stop_on('}', raw).first;
    return "${" + n + modifier + word + "}";
  }
};

bool regex_space(char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; }

}  // namespace

std::vector<Heredoc> heredocs_in(std::string_view line) {
  std::vector<std::string> words;
  try {
    words = Lexer(line, true, true).words();
  } catch (const LexError&) {
    return {};
  }
  std::vector<Heredoc> out;
  for (const std::string& w : words) {
    // ^(\d*)<<(-?)\s*([^<]*)$
    std::size_t i = 0;
    while (i < w.size() && w[i] >= '0' && w[i] <= '9') ++i;
    if (w.compare(i, 2, "<<") != 0) continue;
    i += 2;
    Heredoc h;
    if (i < w.size() && w[i] == '-') {
      h.chomp = true;
      ++i;
    }
    while (i < w.size() && regex_space(w[i])) ++i;
    const std::string rest = w.substr(i);
    if (rest.empty() || rest.find('<') != std::string::npos) continue;
    std::vector<std::string> plain, raw;
    try {
      plain = Lexer(rest, false, false).words();
      if (plain.size() != 1) continue;
      raw = Lexer(rest, true, false).words();
    } catch (const LexError&) {
      throw Error(ErrorCode::dockerfile_invalid,
                  "the heredoc word \"" + w + "\" cannot be read (docker refuses it too)");
    }
    if (raw.size() != plain.size())
      throw Error(ErrorCode::dockerfile_invalid,
                  "the heredoc word \"" + w + "\" cannot be read (docker refuses it too)");
    h.terminator = plain.front();
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace dct::trust
