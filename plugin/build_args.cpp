#include "plugin/build_args.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "base/errors.h"

namespace dct::plugin {

namespace {

enum class Takes { value, nothing };  // `nothing`: a boolean, or --check's optional value
enum class Role {
  pass,
  file,
  build_arg,
  build_context,
  cache_from,
  allow_cache_from,
  help,
  server,
  trust_dir
};

struct Flag {
  std::string_view name;
  char shorthand;
  Takes takes;
  Role role;
};

constexpr Takes V = Takes::value;
constexpr Takes B = Takes::nothing;

// Every flag of `docker build` with the legacy builder (docker/cli's AddBuildFlags, and the
// BuildKit flags it had before buildx) and of `docker buildx build` (its own, the hidden
// legacy ones, the experimental ones of earlier releases, and buildx's --builder and
// -D/--debug), cobra's -h/--help, and dct's own three.
constexpr std::array kFlags{
    Flag{"add-host", 0, V, Role::pass},
    Flag{"allow-cache-from", 0, B, Role::allow_cache_from},
    Flag{"allow", 0, V, Role::pass},
    Flag{"annotation", 0, V, Role::pass},
    Flag{"attest", 0, V, Role::pass},
    Flag{"build-arg", 0, V, Role::build_arg},
    Flag{"build-context", 0, V, Role::build_context},
    Flag{"builder", 0, V, Role::pass},
    Flag{"cache-from", 0, V, Role::cache_from},
    Flag{"cache-to", 0, V, Role::pass},
    Flag{"call", 0, V, Role::pass},
    Flag{"cgroup-parent", 0, V, Role::pass},
    Flag{"check", 0, B, Role::pass},
    Flag{"compress", 0, B, Role::pass},
    Flag{"cpu-period", 0, V, Role::pass},
    Flag{"cpu-quota", 0, V, Role::pass},
    Flag{"cpu-shares", 'c', V, Role::pass},
    Flag{"cpuset-cpus", 0, V, Role::pass},
    Flag{"cpuset-mems", 0, V, Role::pass},
    Flag{"debug", 'D', B, Role::pass},
    Flag{"detach", 0, B, Role::pass},
    Flag{"disable-content-trust", 0, B, Role::pass},
    Flag{"file", 'f', V, Role::file},
    Flag{"force-rm", 0, B, Role::pass},
    Flag{"help", 'h', B, Role::help},
    Flag{"iidfile", 0, V, Role::pass},
    Flag{"invoke", 0, V, Role::pass},
    Flag{"isolation", 0, V, Role::pass},
    Flag{"label", 0, V, Role::pass},
    Flag{"load", 0, B, Role::pass},
    Flag{"memory", 'm', V, Role::pass},
    Flag{"memory-swap", 0, V, Role::pass},
    Flag{"metadata-file", 0, V, Role::pass},
    Flag{"network", 0, V, Role::pass},
    Flag{"no-cache", 0, B, Role::pass},
    Flag{"no-cache-filter", 0, V, Role::pass},
    Flag{"output", 'o', V, Role::pass},
    Flag{"platform", 0, V, Role::pass},
    Flag{"policy", 0, V, Role::pass},
    Flag{"print", 0, V, Role::pass},
    Flag{"progress", 0, V, Role::pass},
    Flag{"provenance", 0, V, Role::pass},
    Flag{"pull", 0, B, Role::pass},
    Flag{"push", 0, B, Role::pass},
    Flag{"quiet", 'q', B, Role::pass},
    Flag{"resource", 0, V, Role::pass},
    Flag{"rm", 0, B, Role::pass},
    Flag{"root", 0, V, Role::pass},
    Flag{"sbom", 0, V, Role::pass},
    Flag{"secret", 0, V, Role::pass},
    Flag{"security-opt", 0, V, Role::pass},
    Flag{"server", 0, V, Role::server},
    Flag{"server-config", 0, V, Role::pass},
    Flag{"shm-size", 0, V, Role::pass},
    Flag{"squash", 0, B, Role::pass},
    Flag{"ssh", 0, V, Role::pass},
    Flag{"stream", 0, B, Role::pass},
    Flag{"tag", 't', V, Role::pass},
    Flag{"target", 0, V, Role::pass},
    Flag{"trust-dir", 0, V, Role::trust_dir},
    Flag{"ulimit", 0, V, Role::pass},
};

const Flag* by_name(std::string_view name) {
  auto it =
      std::find_if(kFlags.begin(), kFlags.end(), [&](const Flag& f) { return f.name == name; });
  return it == kFlags.end() ? nullptr : &*it;
}

const Flag* by_shorthand(char c) {
  auto it = std::find_if(kFlags.begin(), kFlags.end(),
                         [&](const Flag& f) { return f.shorthand != 0 && f.shorthand == c; });
  return it == kFlags.end() ? nullptr : &*it;
}

[[noreturn]] void usage(const std::string& message) {
  throw Error(ErrorCode::invalid_argument, message,
              "dct build takes the flags of docker build (the legacy builder's and buildx's); "
              "see 'docker build --help'");
}

// strconv.ParseBool, for --help=VALUE.
bool go_bool(const std::string& v) {
  if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "false" || v == "False")
    return false;
  usage(fmt::format("invalid value \"{}\" for --help", v));
}

// Records what a flag means for dct; true when its arguments go on to docker build.
bool apply(BuildCommandLine& out, const Flag& flag, const std::string& value) {
  switch (flag.role) {
    case Role::file:
      out.file = value;
      return false;
    case Role::build_arg:
      out.build_args.push_back(value);
      return true;
    case Role::build_context:
      out.build_contexts.push_back(value);
      return true;
    case Role::cache_from:
      out.cache_from.push_back(value);
      return true;
    case Role::allow_cache_from:
      out.allow_cache_from = go_bool(value);
      return false;
    case Role::help:
      out.help = go_bool(value);
      return true;
    case Role::server:
      out.server = value;
      return false;
    case Role::trust_dir:
      out.trust_dir = value;
      return false;
    case Role::pass:
      return true;
  }
  return true;
}

}  // namespace

BuildCommandLine parse_build_command_line(const std::vector<std::string>& args) {
  BuildCommandLine out;
  std::vector<std::string> positionals;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s.size() < 2 || s[0] != '-') {
      positionals.push_back(s);
      continue;
    }
    if (s == "--") {
      positionals.insert(positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                         args.end());
      break;
    }
    if (s[1] == '-') {
      const std::string name = s.substr(2);
      if (name.empty() || name[0] == '-' || name[0] == '=')
        usage(fmt::format("bad flag syntax: {}", s));
      const std::size_t eq = name.find('=');
      const Flag* flag = by_name(name.substr(0, eq));
      if (!flag) usage(fmt::format("unknown flag: --{}", name.substr(0, eq)));
      std::vector<std::string> tokens{s};
      std::string value = "true";
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
      } else if (flag->takes == Takes::value) {
        if (i + 1 >= args.size()) usage(fmt::format("flag needs an argument: {}", s));
        value = args[++i];
        tokens.push_back(value);
      }
      if (apply(out, *flag, value)) out.kept.insert(out.kept.end(), tokens.begin(), tokens.end());
      continue;
    }
    // A group of shorthands: booleans, until one that takes a value takes the rest of the
    // group (`-fX`, `-f=X`) or the next argument.
    const std::string group = s.substr(1);
    if (group.rfind("test.", 0) == 0) usage(fmt::format("unknown flag: {}", s));
    std::vector<std::string> tokens{s};
    std::size_t k = 0;
    while (k < group.size()) {
      const Flag* flag = by_shorthand(group[k]);
      if (!flag) usage(fmt::format("unknown shorthand flag: '{}' in {}", group[k], s));
      const std::string rest = group.substr(k + 1);
      std::string value = "true";
      bool ends = true;
      if (rest.size() >= 2 && rest[0] == '=') {
        value = rest.substr(1);
      } else if (flag->takes == Takes::nothing) {
        ends = false;
      } else if (!rest.empty()) {
        value = rest;
      } else if (i + 1 < args.size()) {
        value = args[++i];
        tokens.push_back(value);
      } else {
        usage(fmt::format("flag needs an argument: '{}' in {}", group[k], s));
      }
      // A file flag takes the rest of the group, and only booleans come before it: keep those.
      if (!apply(out, *flag, value))
        tokens = k == 0 ? std::vector<std::string>{} : std::vector<std::string>{s.substr(0, k + 1)};
      if (ends) break;
      ++k;
    }
    out.kept.insert(out.kept.end(), tokens.begin(), tokens.end());
  }
  if (out.help) return out;
  if (positionals.empty())
    throw Error(ErrorCode::invalid_argument,
                "\"docker dct build\" requires exactly 1 argument: the build context",
                "e.g. docker dct build -t app:1 .");
  if (positionals.size() > 1)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("docker dct build takes one build context, got {}: {}",
                            positionals.size(), fmt::join(positionals, " ")));
  out.context = positionals.front();
  return out;
}

std::vector<std::string> docker_build_args(const BuildCommandLine& line,
                                           const std::string& pinned) {
  std::vector<std::string> out{"build"};
  out.insert(out.end(), line.kept.begin(), line.kept.end());
  out.push_back("--file");
  out.push_back(pinned);
  if (!line.context.empty() && line.context[0] == '-') out.push_back("--");
  out.push_back(line.context);
  return out;
}

}  // namespace dct::plugin
