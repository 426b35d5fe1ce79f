#include "plugin/invocation.h"

#include <fmt/format.h>

#include <cstdlib>

#include "base/errors.h"

namespace dct::plugin {
namespace {

// Docker's global flags (cli/flags/options.go) that take a value.
bool takes_value(const std::string& name) {
  return name == "--config" || name == "-c" || name == "--context" || name == "-H" ||
         name == "--host" || name == "-l" || name == "--log-level" || name == "--tlscacert" ||
         name == "--tlscert" || name == "--tlskey";
}

bool is_bool_flag(const std::string& name) {
  return name == "-D" || name == "--debug" || name == "--tls" || name == "--tlsverify" ||
         name.rfind("--tlsverify=", 0) == 0 || name.rfind("--tls=", 0) == 0 ||
         name.rfind("--debug=", 0) == 0;
}

std::string basename_of(const std::string& path) {
  auto pos = path.rfind('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

// Consumes docker's global flags from argv[i...]; returns the index of the first other word.
size_t skip_global_flags(const std::vector<std::string>& argv, size_t i, Invocation& inv) {
  while (i < argv.size()) {
    const std::string& a = argv[i];
    if (a.size() < 2 || a[0] != '-' || a == "--") break;
    std::string name = a, value;
    bool inline_value = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    } else if (a.size() > 2 && a[1] != '-' && takes_value(a.substr(0, 2))) {
      name = a.substr(0, 2);  // -cNAME, -Hunix:///x, -ldebug
      value = a.substr(2);
      inline_value = true;
    }
    if (takes_value(name)) {
      inv.global_args.push_back(a);
      if (!inline_value) {
        if (i + 1 >= argv.size())
          throw Error(ErrorCode::invalid_argument, fmt::format("flag needs an argument: {}", name));
        value = argv[++i];
        inv.global_args.push_back(value);
      }
      if (name == "--config") inv.config_dir = std::filesystem::path(value);
      if ((name == "-l" || name == "--log-level") && value == "debug") inv.debug = true;
      ++i;
      continue;
    }
    if (is_bool_flag(a)) {
      inv.global_args.push_back(a);
      if (name == "-D" || name == "--debug") inv.debug = !inline_value || value == "true";
      ++i;
      continue;
    }
    break;  // not a docker global flag: the command's own business
  }
  return i;
}

// -D/--debug written after the plugin's name: dct's own, not passed back to docker.
size_t skip_debug_flags(const std::vector<std::string>& argv, size_t i, Invocation& inv) {
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-D" || a == "--debug" || a == "--debug=true") {
      inv.debug = true;
    } else if (a == "--debug=false") {
      inv.debug = false;
    } else {
      break;
    }
  }
  return i;
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Invocation parse_invocation(const std::vector<std::string>& argv, const EnvLookup& env) {
  Invocation inv;
  if (argv.size() >= 2 && argv[1] == "docker-cli-plugin-metadata") {
    inv.mode = Invocation::Mode::metadata;
    return inv;
  }
  std::string self = argv.empty() ? std::string() : basename_of(argv[0]);
  if (auto orig = env("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"); orig && !orig->empty()) {
    inv.mode = Invocation::Mode::plugin;
    inv.original_cli = *orig;
  }
  size_t i = skip_global_flags(argv, 1, inv);
  if (inv.mode == Invocation::Mode::plugin && i < argv.size()) {
    if (argv[i] == "help" && i + 1 < argv.size() && argv[i + 1] == kPluginName) {
      inv.help_form = true;
      i += 2;
    } else if (argv[i] == "__complete" && i + 1 < argv.size() && argv[i + 1] == kPluginName) {
      inv.complete_form = true;
      i += 2;
    } else if (argv[i] == kPluginName) {
      ++i;
      i = skip_debug_flags(argv, i, inv);  // `docker dct -D resolve ...`
    }
  }
  inv.args.assign(argv.begin() + static_cast<std::ptrdiff_t>(std::min(i, argv.size())), argv.end());
  if (self == "docker-trust-pull") inv.args.insert(inv.args.begin(), "pull");
  if (self == "docker-trust-push") inv.args.insert(inv.args.begin(), "push");
  return inv;
}

}  // namespace dct::plugin
