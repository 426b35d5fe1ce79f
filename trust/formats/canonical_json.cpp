#include "trust/formats/canonical_json.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include "base/errors.h"

namespace dct::trust {
namespace {

// Go verifies a signature over the canonical form of the "signed" object decoded into generic
// values, where every number is a float64. Integers beyond 2^53 therefore come out rounded to
// the nearest double; doing the same keeps our bytes equal to Go's.
constexpr std::int64_t kExactInFloat = std::int64_t{1} << 53;

// Go's JSON decoder refuses documents nested deeper than 10000 levels; notary's own metadata
// never goes beyond a handful. 1000 keeps the recursion below safe on any stack (sanitizers too).
constexpr int kMaxDepth = 1000;

// Go's canonical encoder writes integral floats as int64 and refuses everything else.
void write_float(double d, std::string& out) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (!std::isfinite(d) || d != std::floor(d) || d < -kTwo63 || d >= kTwo63)
    throw Error(ErrorCode::malformed_metadata, "metadata holds a number that is not an integer");
  out += std::to_string(static_cast<std::int64_t>(d));
}

void write_string(const std::string& s, std::string& out) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void check_depth(int depth) {
  if (depth > kMaxDepth)
    throw Error(ErrorCode::malformed_metadata,
                fmt::format("metadata is nested deeper than {} levels", kMaxDepth));
}

void write(const nlohmann::json& v, std::string& out, int depth) {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null:
      out += "null";
      return;
    case T::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case T::number_integer: {
      const auto n = v.get<std::int64_t>();
      if (n >= -kExactInFloat && n <= kExactInFloat)
        out += std::to_string(n);
      else
        write_float(static_cast<double>(n), out);
      return;
    }
    case T::number_unsigned: {
      const auto n = v.get<std::uint64_t>();
      if (n <= static_cast<std::uint64_t>(kExactInFloat))
        out += std::to_string(n);
      else
        write_float(static_cast<double>(n), out);
      return;
    }
    case T::number_float:
      write_float(v.get<double>(), out);
      return;
    case T::string:
      write_string(v.get_ref<const std::string&>(), out);
      return;
    case T::array: {
      check_depth(depth);
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        write(e, out, depth + 1);
      }
      out.push_back(']');
      return;
    }
    case T::object: {
      check_depth(depth);
      // nlohmann's object is a std::map<std::string, ...>: keys already in bytewise order.
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.items()) {
        if (!first) out.push_back(',');
        first = false;
        write_string(key, out);
        out.push_back(':');
        write(value, out, depth + 1);
      }
      out.push_back('}');
      return;
    }
    case T::binary:
    case T::discarded:
      break;
  }
  throw Error(ErrorCode::malformed_metadata, "metadata holds a value JSON cannot express");
}

}  // namespace

std::string canonical_json(const nlohmann::json& value) {
  std::string out;
  write(value, out, 1);
  return out;
}

std::string escape_for_envelope(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (static_cast<unsigned char>(c) < 0x20) {
      // Canonical JSON has no whitespace, so this sits in a string, raw. Go's encoder refuses to
      // embed that (invalid JSON), so notary can never write such metadata; neither do we.
      throw Error(ErrorCode::invalid_argument,
                  "metadata text holds a control character, which notary cannot write");
    } else if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < s.size() &&
               static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace dct::trust
