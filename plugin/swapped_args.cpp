#include "plugin/swapped_args.h"

#include <fmt/format.h>

#include <filesystem>
#include <regex>

#include "base/errors.h"
#include "registry/reference.h"

namespace dct::plugin {
namespace {

bool ends_with_any(const std::string& s, std::initializer_list<const char*> ends) {
  for (const char* e : ends) {
    const std::string end(e);
    if (s.size() > end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0)
      return true;
  }
  return false;
}

// A key or certificate file: one that exists, or a name with a key file's extension.
bool looks_like_key_file(const std::string& s) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(s, ec)) return true;
  return ends_with_any(s, {".pem", ".crt", ".pub", ".key", ".cert", ".der", ".p8"});
}

bool looks_like_role(const std::string& s) { return s == "targets" || s.rfind("targets/", 0) == 0; }

// An image name with a registry or namespace (a bare word could be a name of anything).
bool looks_like_image(const std::string& s) {
  if (s.find('/') == std::string::npos || looks_like_role(s) || looks_like_key_file(s))
    return false;
  try {
    registry::parse_reference(s);
    return true;
  } catch (const Error&) {
    return false;
  }
}

bool looks_like_name(const std::string& s) {
  static const std::regex kName("^[a-z0-9][a-z0-9_-]*$");
  return std::regex_match(s, kName);
}

bool looks_like_tag(const std::string& s) {
  static const std::regex kTag("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$");
  return std::regex_match(s, kTag) && !looks_like_key_file(s);
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

[[noreturn]] void swapped(const TypedArgs& a, const std::vector<std::string>& meant) {
  std::vector<std::string> line = meant;
  line.insert(line.end(), a.flags.begin(), a.flags.end());
  throw Error(
      ErrorCode::invalid_argument,
      fmt::format("arguments look swapped: did you mean `docker dct {} {}`?", a.path, joined(line)),
      fmt::format("see `docker dct {} --help`", a.path));
}

[[noreturn]] void file_not_image(const TypedArgs& a, const std::string& file) {
  throw Error(ErrorCode::invalid_argument,
              fmt::format("\"{}\" is a key or certificate file, not an image: `docker dct {}` "
                          "takes the image first",
                          file, a.path),
              fmt::format("see `docker dct {} --help`", a.path));
}

}  // namespace

void check_signer_args(const TypedArgs& a) {
  const auto& p = a.positionals;
  if (p.empty()) return;
  if (p.size() >= 2 && looks_like_image(p[0]) && looks_like_name(p[1])) {
    std::vector<std::string> meant{p[1], p[0]};
    meant.insert(meant.end(), p.begin() + 2, p.end());
    swapped(a, meant);
  }
  if (looks_like_key_file(p[0]) && a.path == "signer add" && p.size() >= 2)
    swapped(a, {"NAME", joined(std::vector<std::string>(p.begin() + 1, p.end())), "--key", p[0]});
}

void check_delegation_args(const TypedArgs& a) {
  const auto& p = a.positionals;
  if (p.size() < 2) {
    if (!p.empty() && looks_like_key_file(p[0])) file_not_image(a, p[0]);
    return;
  }
  if (!looks_like_role(p[1]) || looks_like_key_file(p[0])) {
    // Put them in order: the image, the role, then the rest as given.
    std::string image, role;
    std::vector<std::string> rest;
    for (const auto& w : p) {
      if (role.empty() && looks_like_role(w))
        role = w;
      else if (image.empty() && !looks_like_key_file(w) && !looks_like_role(w) &&
               (looks_like_image(w) || w.find('/') != std::string::npos))
        image = w;
      else
        rest.push_back(w);
    }
    if (!image.empty() && !role.empty()) {
      std::vector<std::string> meant{image, role};
      meant.insert(meant.end(), rest.begin(), rest.end());
      if (meant != p) swapped(a, meant);
    }
    if (looks_like_key_file(p[0])) file_not_image(a, p[0]);
  }
}

void check_image_tag_args(const TypedArgs& a) {
  const auto& p = a.positionals;
  if (p.size() == 2 && looks_like_tag(p[0]) && looks_like_image(p[1]) &&
      p[1].find('@') == std::string::npos) {
    const auto last = p[1].rfind('/');
    if (p[1].find(':', last == std::string::npos ? 0 : last) == std::string::npos)
      swapped(a, {p[1] + ":" + p[0]});
  }
  if (!p.empty() && looks_like_key_file(p[0])) file_not_image(a, p[0]);
}

void check_image_args(const TypedArgs& a) {
  if (!a.positionals.empty() && looks_like_key_file(a.positionals[0]))
    file_not_image(a, a.positionals[0]);
}

void check_key_load_args(const TypedArgs& a) {
  const auto& p = a.positionals;
  if (p.size() == 2 && !looks_like_key_file(p[0]) && looks_like_key_file(p[1]) &&
      looks_like_name(p[0]))
    swapped(a, {p[1], "--name", p[0]});
}

}  // namespace dct::plugin
