#include "plugin/push_output.h"

namespace dct::plugin {

namespace {

constexpr std::size_t kMaxLine = 16 * 1024;  // a digest line is short; progress lines are too
constexpr char kEsc = '\x1b';

// The visible text of a terminal line: CSI sequences (cursor moves, erase), OSC strings and
// two-byte escapes removed.
std::string visible_text(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] != kEsc) {
      out += line[i];
      continue;
    }
    if (i + 1 >= line.size()) break;
    const char kind = line[++i];
    if (kind == '[') {  // parameters and intermediates, then one final byte in @..~
      while (i + 1 < line.size() && !(line[i + 1] >= '@' && line[i + 1] <= '~')) ++i;
      ++i;
    } else if (kind == ']') {  // up to BEL or ESC backslash
      while (i + 1 < line.size() && line[i + 1] != '\a' && line[i + 1] != kEsc) ++i;
      ++i;
      if (i < line.size() && line[i] == kEsc) ++i;
    }
  }
  return out;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::optional<PushedManifest> parse_push_digest_line(std::string_view raw, std::string_view tag) {
  const std::string text = visible_text(raw);
  std::string_view s = trimmed(text);
  if (tag.empty() || !consume(s, tag) || !consume(s, ": digest: sha256:")) return std::nullopt;
  constexpr std::size_t kHexLength = 64;
  if (s.size() < kHexLength) return std::nullopt;
  for (std::size_t i = 0; i < kHexLength; ++i)
    if (!is_lower_hex(s[i])) return std::nullopt;
  PushedManifest m;
  m.digest = "sha256:" + std::string(s.substr(0, kHexLength));
  s.remove_prefix(kHexLength);
  if (!consume(s, " size: ") || s.empty() || s.size() > 12) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    m.size = m.size * 10 + static_cast<std::size_t>(c - '0');
  }
  return m;
}

PushDigestScanner::PushDigestScanner(std::string tag) : tag_(std::move(tag)) {}

void PushDigestScanner::feed(std::string_view chunk) {
  for (char c : chunk) {
    if (c == '\n' || c == '\r') {
      end_line();
    } else if (line_.size() < kMaxLine) {
      line_ += c;
    } else {
      line_too_long_ = true;
    }
  }
}

void PushDigestScanner::end_line() {
  if (!line_too_long_)
    if (auto m = parse_push_digest_line(line_, tag_)) found_ = std::move(m);
  line_.clear();
  line_too_long_ = false;
}

std::optional<PushedManifest> PushDigestScanner::result() {
  end_line();
  return found_;
}

}  // namespace dct::plugin
