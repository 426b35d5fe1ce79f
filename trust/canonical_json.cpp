#include "trust/canonical_json.h"

#include <cmath>
#include <limits>

#include "trust/errors.h"

namespace dct::trust {
namespace {

void write_string(const std::string& s, std::string& out) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void write(const nlohmann::json& v, std::string& out) {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null:
      out += "null";
      return;
    case T::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case T::number_integer:
      out += std::to_string(v.get<std::int64_t>());
      return;
    case T::number_unsigned:
      out += std::to_string(v.get<std::uint64_t>());
      return;
    case T::number_float: {
      double d = v.get<double>();
      // Go's canonical encoder writes integral floats as int64 and refuses everything else.
      if (!std::isfinite(d) || d != std::trunc(d) || d < -9.2233720368547758e18 ||
          d >= 9.2233720368547758e18)
        throw Error(ErrorCode::malformed_metadata,
                    "metadata holds a number that is not an integer");
      out += std::to_string(static_cast<std::int64_t>(d));
      return;
    }
    case T::string:
      write_string(v.get_ref<const std::string&>(), out);
      return;
    case T::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        write(e, out);
      }
      out.push_back(']');
      return;
    }
    case T::object: {
      // nlohmann's object is a std::map<std::string, ...>: keys already in bytewise order.
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.items()) {
        if (!first) out.push_back(',');
        first = false;
        write_string(key, out);
        out.push_back(':');
        write(value, out);
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
  write(value, out);
  return out;
}

std::string escape_for_envelope(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '<') {
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
