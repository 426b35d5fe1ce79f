#pragma once
// WWW-Authenticate parsing (RFC 7235): one or more challenges, each a scheme followed by
// auth-params (token or quoted-string values, backslash escapes, commas inside quotes) or a
// token68. Scheme and parameter names are case-insensitive and returned lower-case.
// Never throws on malformed input: what can't be parsed is skipped.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dct::registry {

struct Challenge {
  std::string scheme;                                       // lower-case: "bearer", "basic", ...
  std::vector<std::pair<std::string, std::string>> params;  // names lower-case, in order
  std::string token68;  // for schemes that carry one instead of params

  std::optional<std::string> param(std::string_view name) const;  // case-insensitive, first
  bool is(std::string_view s) const;  // scheme comparison, case-insensitive
};

std::vector<Challenge> parse_www_authenticate(std::string_view header);
// All challenges from several header fields, in order.
std::vector<Challenge> parse_www_authenticate(const std::vector<std::string>& headers);

}  // namespace dct::registry
