#include "trust/tuf/targets_layout.h"

#include <cstring>

namespace dct::trust {
namespace {

constexpr int kLayoutMaxDepth = 64;

class LayoutScanner {
 public:
  LayoutScanner(std::string_view bytes, const TargetEntryVisitor& visit)
      : b_(bytes), visit_(visit) {}

  std::optional<TargetsLayout> run() {
    skip_ws();
    if (!top_level()) return std::nullopt;
    skip_ws();
    if (p_ != b_.size() || !out_.signed_value.present()) return std::nullopt;
    return out_;
  }

 private:
  void skip_ws() {
    while (p_ < b_.size() && (b_[p_] == ' ' || b_[p_] == '\t' || b_[p_] == '\n' || b_[p_] == '\r'))
      ++p_;
  }
  bool at(char c) const { return p_ < b_.size() && b_[p_] == c; }

  // At an opening quote: moves past the closing one. `escaped` tells whether it holds a '\'.
  bool string(bool* escaped = nullptr) {
    if (!at('"')) return false;
    const std::size_t begin = p_ + 1;
    std::size_t i = begin;
    for (;;) {
      const void* q = std::memchr(b_.data() + i, '"', b_.size() - i);
      if (!q) return false;
      const std::size_t end = static_cast<const char*>(q) - b_.data();
      std::size_t slashes = 0;
      while (end - slashes > begin && b_[end - slashes - 1] == '\\') ++slashes;
      if (slashes % 2 == 0) {
        if (escaped) *escaped = std::memchr(b_.data() + begin, '\\', end - begin) != nullptr;
        p_ = end + 1;
        return true;
      }
      i = end + 1;
    }
  }

  bool scalar() {
    const std::size_t begin = p_;
    while (p_ < b_.size()) {
      const char c = b_[p_];
      if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
          c == '{' || c == '[' || c == '"' || c == ':')
        break;
      ++p_;
    }
    return p_ > begin;
  }

  // Calls member(key, key_begin, escaped) with p_ at the member's value; it must consume it.
  template <typename Member>
  bool members(int depth, Member&& member) {
    if (depth > kLayoutMaxDepth || !at('{')) return false;
    ++p_;
    skip_ws();
    if (at('}')) {
      ++p_;
      return true;
    }
    for (;;) {
      skip_ws();
      const std::size_t key_begin = p_;
      bool escaped = false;
      if (!string(&escaped)) return false;
      const std::string_view key = b_.substr(key_begin + 1, p_ - key_begin - 2);
      skip_ws();
      if (!at(':')) return false;
      ++p_;
      skip_ws();
      if (!member(key, key_begin, escaped)) return false;
      skip_ws();
      if (at(',')) {
        ++p_;
        continue;
      }
      if (at('}')) {
        ++p_;
        return true;
      }
      return false;
    }
  }

  bool value(int depth) {
    if (depth > kLayoutMaxDepth || p_ >= b_.size()) return false;
    switch (b_[p_]) {
      case '{':
        return members(depth,
                       [&](std::string_view, std::size_t, bool) { return value(depth + 1); });
      case '[': {
        ++p_;
        skip_ws();
        if (at(']')) {
          ++p_;
          return true;
        }
        for (;;) {
          skip_ws();
          if (!value(depth + 1)) return false;
          skip_ws();
          if (at(',')) {
            ++p_;
            continue;
          }
          if (at(']')) {
            ++p_;
            return true;
          }
          return false;
        }
      }
      case '"':
        return string();
      default:
        return scalar();
    }
  }

  // A field recorded once: a second one would leave it open which of the two a parser takes.
  bool record(ByteRange& range, int depth) {
    if (range.present()) return false;
    const std::size_t begin = p_;
    if (!value(depth)) return false;
    range = {begin, p_ - begin};
    return true;
  }

  bool top_level() {
    return members(0, [&](std::string_view key, std::size_t, bool escaped) {
      if (escaped) return false;
      if (key == "signed") {
        if (out_.signed_value.present()) return false;
        const std::size_t begin = p_;
        if (!signed_object()) return false;
        out_.signed_value = {begin, p_ - begin};
        return true;
      }
      if (key == "signatures") return record(out_.signatures, 1);
      return value(1);
    });
  }

  bool signed_object() {
    return members(1, [&](std::string_view key, std::size_t, bool escaped) {
      if (escaped) return false;
      if (key == "_type") return record(out_.type, 2);
      if (key == "version") return record(out_.version, 2);
      if (key == "expires") return record(out_.expires, 2);
      if (key == "delegations") return record(out_.delegations, 2);
      if (key == "targets") {
        if (out_.targets.present()) return false;
        const std::size_t begin = p_;
        if (!(at('{') ? target_entries() : value(2))) return false;
        out_.targets = {begin, p_ - begin};
        return true;
      }
      return value(2);
    });
  }

  bool target_entries() {
    return members(2, [&](std::string_view key, std::size_t key_begin, bool escaped) {
      if (escaped || !value(3)) return false;
      return visit_(key, ByteRange{key_begin, p_ - key_begin});
    });
  }

  std::string_view b_;
  const TargetEntryVisitor& visit_;
  std::size_t p_ = 0;
  TargetsLayout out_;
};

}  // namespace

std::optional<TargetsLayout> scan_targets_layout(std::string_view bytes,
                                                 const TargetEntryVisitor& visit) {
  return LayoutScanner(bytes, visit).run();
}

}  // namespace dct::trust
