#include "registry/credential_helper_output.h"

#include <nlohmann/json.hpp>

#include "base/errors.h"

namespace dct::registry {

namespace {

constexpr std::string_view kTokenUsername = "<token>";

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// A short, single-line version of a helper's message (it is printed to the user).
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 300)) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::optional<Credential> parse_credential_helper_output(std::string_view program,
                                                         std::string_view key, int exit_code,
                                                         std::string_view out) {
  const std::string name(program);
  const std::string hint =
      "check `" + name + " get` by hand, or remove it from config.json (credsStore/credHelpers)";
  if (exit_code != 0) {
    // Helpers print their error on stdout; "credentials not found" means anonymous.
    if (out.find("credentials not found") != std::string_view::npos) return std::nullopt;
    std::string message = one_line(out);
    if (message.empty()) message = "exit status " + std::to_string(exit_code);
    throw Error(ErrorCode::credential_helper_failed,
                "credential helper " + name + " failed for " + in_quotes(key) + ": " + message,
                hint);
  }
  const nlohmann::json doc = nlohmann::json::parse(out, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    throw Error(ErrorCode::credential_helper_failed,
                "credential helper " + name + " returned something that is not JSON", hint);
  }
  auto text = [&](const char* field) -> std::string {
    auto it = doc.find(field);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string username = text("Username");
  const std::string secret = text("Secret");
  Credential c;
  if (username == kTokenUsername) {
    c.identity_token = secret;
  } else {
    c.username = username;
    c.password = secret;
  }
  if (c.empty()) return std::nullopt;
  return c;
}

}  // namespace dct::registry
