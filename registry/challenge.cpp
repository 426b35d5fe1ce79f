#include "registry/challenge.h"

#include "registry/headers.h"

namespace dct::registry {

namespace {

bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token68_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const noexcept { return i_ >= s_.size(); }
  char peek() const noexcept { return done() ? '\0' : s_[i_]; }
  std::size_t pos() const noexcept { return i_; }
  void seek(std::size_t p) noexcept { i_ = p; }
  void advance() noexcept {
    if (!done()) ++i_;
  }
  void skip_ws() noexcept {
    while (!done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  void skip_ws_and_commas() noexcept {
    while (!done() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == ',')) ++i_;
  }
  std::string_view token() noexcept {
    const std::size_t start = i_;
    while (!done() && is_tchar(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  // At a '"': the unescaped content; an unterminated string runs to the end.
  std::string quoted() {
    std::string out;
    ++i_;  // opening quote
    while (!done()) {
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (!done()) out += s_[i_++];  // a lone trailing backslash is dropped
      } else {
        out += c;
      }
    }
    return out;
  }
  // Skips to the next comma outside quotes (for garbage recovery).
  void skip_item() noexcept {
    while (!done() && s_[i_] != ',') {
      if (s_[i_] == '"') {
        ++i_;
        while (!done() && s_[i_] != '"') {
          if (s_[i_] == '\\') ++i_;
          if (!done()) ++i_;
        }
      }
      if (!done()) ++i_;
    }
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

// After a scheme: a token68 is a run of token68 characters and '=' padding, followed by the
// end or a comma. Anything else ("realm=...") is auth-params.
bool try_token68(Scanner& sc, Challenge& ch, std::string_view s) {
  const std::size_t start = sc.pos();
  std::size_t i = start;
  while (i < s.size() && is_token68_char(s[i])) ++i;
  if (i == start) return false;
  while (i < s.size() && s[i] == '=') ++i;
  std::size_t j = i;
  while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
  if (j < s.size() && s[j] != ',') return false;
  if (s[i - 1] == '=' && j < s.size()) {
    // "name=," is ambiguous: when an auth-param follows, it was an empty auth-param too.
    std::size_t k = j;
    while (k < s.size() && (s[k] == ',' || s[k] == ' ' || s[k] == '\t')) ++k;
    while (k < s.size() && is_tchar(s[k])) ++k;
    while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) ++k;
    if (k < s.size() && s[k] == '=') return false;
  }
  ch.token68 = std::string(s.substr(start, i - start));
  sc.seek(j);
  return true;
}

}  // namespace

std::optional<std::string> Challenge::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

bool Challenge::is(std::string_view s) const { return iequals(scheme, s); }

std::vector<Challenge> parse_www_authenticate(std::string_view header) {
  std::vector<Challenge> out;
  Scanner sc(header);
  while (true) {
    sc.skip_ws_and_commas();
    if (sc.done()) break;
    const std::string_view scheme = sc.token();
    if (scheme.empty()) {
      sc.skip_item();  // garbage where a scheme should be
      continue;
    }
    Challenge ch;
    ch.scheme = to_lower(scheme);
    const std::size_t after_scheme = sc.pos();
    sc.skip_ws();
    const bool had_space = sc.pos() > after_scheme;
    if (had_space && !sc.done() && sc.peek() != ',') {
      try_token68(sc, ch, header);
    } else if (!had_space && !sc.done() && sc.peek() != ',') {
      // Something glued to the scheme ("Bearer=x", "Basic\"..."): not a challenge.
      sc.skip_item();
      continue;
    }
    if (ch.token68.empty()) {
      // auth-params: name BWS "=" BWS (token / quoted-string), separated by commas.
      while (true) {
        sc.skip_ws_and_commas();
        if (sc.done()) break;
        const std::size_t item_start = sc.pos();
        const std::string_view name = sc.token();
        sc.skip_ws();
        if (name.empty()) {
          sc.skip_item();
          continue;
        }
        if (sc.peek() != '=') {
          // A token not followed by '=': the scheme of the next challenge.
          sc.seek(item_start);
          break;
        }
        sc.advance();  // '='
        sc.skip_ws();
        std::string value;
        if (sc.peek() == '"') {
          value = sc.quoted();
        } else {
          value = std::string(sc.token());
        }
        sc.skip_ws();
        if (!sc.done() && sc.peek() != ',') sc.skip_item();  // trailing garbage in this item
        ch.params.emplace_back(to_lower(name), std::move(value));
      }
    }
    out.push_back(std::move(ch));
  }
  return out;
}

std::vector<Challenge> parse_www_authenticate(const std::vector<std::string>& headers) {
  std::vector<Challenge> out;
  for (const auto& h : headers) {
    for (auto& c : parse_www_authenticate(h)) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace dct::registry
