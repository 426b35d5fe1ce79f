#include "plugin/run_args.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "base/errors.h"

namespace dct::plugin {

namespace {

enum class RunTakes { value, nothing };
enum class RunScope { both, run_only };

struct RunFlag {
  std::string_view name;
  char shorthand;
  RunTakes takes;
  RunScope scope;
};

constexpr RunTakes kTakesValue = RunTakes::value;
constexpr RunTakes kTakesNothing = RunTakes::nothing;
constexpr RunScope kBoth = RunScope::both;
constexpr RunScope kRunOnly = RunScope::run_only;

// Every flag of docker run in Docker 28 (docker create has them all but the three run-only
// ones), the hidden aliases --dns-opt, --net and --net-alias, and dct's own two.
constexpr std::array kRunFlags{
    RunFlag{"add-host", 0, kTakesValue, kBoth},
    RunFlag{"annotation", 0, kTakesValue, kBoth},
    RunFlag{"attach", 'a', kTakesValue, kBoth},
    RunFlag{"blkio-weight", 0, kTakesValue, kBoth},
    RunFlag{"blkio-weight-device", 0, kTakesValue, kBoth},
    RunFlag{"cap-add", 0, kTakesValue, kBoth},
    RunFlag{"cap-drop", 0, kTakesValue, kBoth},
    RunFlag{"cgroup-parent", 0, kTakesValue, kBoth},
    RunFlag{"cgroupns", 0, kTakesValue, kBoth},
    RunFlag{"cidfile", 0, kTakesValue, kBoth},
    RunFlag{"cpu-count", 0, kTakesValue, kBoth},
    RunFlag{"cpu-percent", 0, kTakesValue, kBoth},
    RunFlag{"cpu-period", 0, kTakesValue, kBoth},
    RunFlag{"cpu-quota", 0, kTakesValue, kBoth},
    RunFlag{"cpu-rt-period", 0, kTakesValue, kBoth},
    RunFlag{"cpu-rt-runtime", 0, kTakesValue, kBoth},
    RunFlag{"cpu-shares", 'c', kTakesValue, kBoth},
    RunFlag{"cpus", 0, kTakesValue, kBoth},
    RunFlag{"cpuset-cpus", 0, kTakesValue, kBoth},
    RunFlag{"cpuset-mems", 0, kTakesValue, kBoth},
    RunFlag{"detach", 'd', kTakesNothing, kRunOnly},
    RunFlag{"detach-keys", 0, kTakesValue, kRunOnly},
    RunFlag{"device", 0, kTakesValue, kBoth},
    RunFlag{"device-cgroup-rule", 0, kTakesValue, kBoth},
    RunFlag{"device-read-bps", 0, kTakesValue, kBoth},
    RunFlag{"device-read-iops", 0, kTakesValue, kBoth},
    RunFlag{"device-write-bps", 0, kTakesValue, kBoth},
    RunFlag{"device-write-iops", 0, kTakesValue, kBoth},
    RunFlag{"disable-content-trust", 0, kTakesNothing, kBoth},
    RunFlag{"dns", 0, kTakesValue, kBoth},
    RunFlag{"dns-opt", 0, kTakesValue, kBoth},
    RunFlag{"dns-option", 0, kTakesValue, kBoth},
    RunFlag{"dns-search", 0, kTakesValue, kBoth},
    RunFlag{"domainname", 0, kTakesValue, kBoth},
    RunFlag{"entrypoint", 0, kTakesValue, kBoth},
    RunFlag{"env", 'e', kTakesValue, kBoth},
    RunFlag{"env-file", 0, kTakesValue, kBoth},
    RunFlag{"expose", 0, kTakesValue, kBoth},
    RunFlag{"gpus", 0, kTakesValue, kBoth},
    RunFlag{"group-add", 0, kTakesValue, kBoth},
    RunFlag{"health-cmd", 0, kTakesValue, kBoth},
    RunFlag{"health-interval", 0, kTakesValue, kBoth},
    RunFlag{"health-retries", 0, kTakesValue, kBoth},
    RunFlag{"health-start-interval", 0, kTakesValue, kBoth},
    RunFlag{"health-start-period", 0, kTakesValue, kBoth},
    RunFlag{"health-timeout", 0, kTakesValue, kBoth},
    RunFlag{"help", 0, kTakesNothing, kBoth},
    RunFlag{"hostname", 'h', kTakesValue, kBoth},
    RunFlag{"init", 0, kTakesNothing, kBoth},
    RunFlag{"interactive", 'i', kTakesNothing, kBoth},
    RunFlag{"io-maxbandwidth", 0, kTakesValue, kBoth},
    RunFlag{"io-maxiops", 0, kTakesValue, kBoth},
    RunFlag{"ip", 0, kTakesValue, kBoth},
    RunFlag{"ip6", 0, kTakesValue, kBoth},
    RunFlag{"ipc", 0, kTakesValue, kBoth},
    RunFlag{"isolation", 0, kTakesValue, kBoth},
    RunFlag{"kernel-memory", 0, kTakesValue, kBoth},
    RunFlag{"label", 'l', kTakesValue, kBoth},
    RunFlag{"label-file", 0, kTakesValue, kBoth},
    RunFlag{"link", 0, kTakesValue, kBoth},
    RunFlag{"link-local-ip", 0, kTakesValue, kBoth},
    RunFlag{"log-driver", 0, kTakesValue, kBoth},
    RunFlag{"log-opt", 0, kTakesValue, kBoth},
    RunFlag{"mac-address", 0, kTakesValue, kBoth},
    RunFlag{"memory", 'm', kTakesValue, kBoth},
    RunFlag{"memory-reservation", 0, kTakesValue, kBoth},
    RunFlag{"memory-swap", 0, kTakesValue, kBoth},
    RunFlag{"memory-swappiness", 0, kTakesValue, kBoth},
    RunFlag{"mount", 0, kTakesValue, kBoth},
    RunFlag{"name", 0, kTakesValue, kBoth},
    RunFlag{"net", 0, kTakesValue, kBoth},
    RunFlag{"net-alias", 0, kTakesValue, kBoth},
    RunFlag{"network", 0, kTakesValue, kBoth},
    RunFlag{"network-alias", 0, kTakesValue, kBoth},
    RunFlag{"no-healthcheck", 0, kTakesNothing, kBoth},
    RunFlag{"oom-kill-disable", 0, kTakesNothing, kBoth},
    RunFlag{"oom-score-adj", 0, kTakesValue, kBoth},
    RunFlag{"pid", 0, kTakesValue, kBoth},
    RunFlag{"pids-limit", 0, kTakesValue, kBoth},
    RunFlag{"platform", 0, kTakesValue, kBoth},
    RunFlag{"privileged", 0, kTakesNothing, kBoth},
    RunFlag{"publish", 'p', kTakesValue, kBoth},
    RunFlag{"publish-all", 'P', kTakesNothing, kBoth},
    RunFlag{"pull", 0, kTakesValue, kBoth},
    RunFlag{"quiet", 'q', kTakesNothing, kBoth},
    RunFlag{"read-only", 0, kTakesNothing, kBoth},
    RunFlag{"restart", 0, kTakesValue, kBoth},
    RunFlag{"rm", 0, kTakesNothing, kBoth},
    RunFlag{"runtime", 0, kTakesValue, kBoth},
    RunFlag{"security-opt", 0, kTakesValue, kBoth},
    RunFlag{"shm-size", 0, kTakesValue, kBoth},
    RunFlag{"sig-proxy", 0, kTakesNothing, kRunOnly},
    RunFlag{"stop-signal", 0, kTakesValue, kBoth},
    RunFlag{"stop-timeout", 0, kTakesValue, kBoth},
    RunFlag{"storage-opt", 0, kTakesValue, kBoth},
    RunFlag{"sysctl", 0, kTakesValue, kBoth},
    RunFlag{"tmpfs", 0, kTakesValue, kBoth},
    RunFlag{"tty", 't', kTakesNothing, kBoth},
    RunFlag{"ulimit", 0, kTakesValue, kBoth},
    RunFlag{"use-api-socket", 0, kTakesNothing, kBoth},
    RunFlag{"user", 'u', kTakesValue, kBoth},
    RunFlag{"userns", 0, kTakesValue, kBoth},
    RunFlag{"uts", 0, kTakesValue, kBoth},
    RunFlag{"volume", 'v', kTakesValue, kBoth},
    RunFlag{"volume-driver", 0, kTakesValue, kBoth},
    RunFlag{"volumes-from", 0, kTakesValue, kBoth},
    RunFlag{"workdir", 'w', kTakesValue, kBoth},
    RunFlag{"server", 0, kTakesValue, kBoth},
    RunFlag{"trust-dir", 0, kTakesValue, kBoth},
};

const char* verb_name(ContainerVerb verb) { return verb == ContainerVerb::run ? "run" : "create"; }

const RunFlag* run_flag_by_name(std::string_view name, ContainerVerb verb) {
  auto it = std::find_if(kRunFlags.begin(), kRunFlags.end(),
                         [&](const RunFlag& f) { return f.name == name; });
  if (it == kRunFlags.end()) return nullptr;
  if (it->scope == kRunOnly && verb != ContainerVerb::run) return nullptr;
  return &*it;
}

const RunFlag* run_flag_by_shorthand(char c, ContainerVerb verb) {
  auto it = std::find_if(kRunFlags.begin(), kRunFlags.end(),
                         [&](const RunFlag& f) { return f.shorthand != 0 && f.shorthand == c; });
  if (it == kRunFlags.end()) return nullptr;
  if (it->scope == kRunOnly && verb != ContainerVerb::run) return nullptr;
  return &*it;
}

[[noreturn]] void run_usage(ContainerVerb verb, const std::string& message) {
  throw Error(ErrorCode::invalid_argument, message,
              fmt::format("docker dct {} takes the flags of docker {}; see 'docker {} --help'",
                          verb_name(verb), verb_name(verb), verb_name(verb)));
}

// strconv.ParseBool, for --help=VALUE and --disable-content-trust=VALUE.
bool run_go_bool(ContainerVerb verb, const std::string& v) {
  if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "false" || v == "False")
    return false;
  run_usage(verb, fmt::format("invalid boolean value \"{}\"", v));
}

// Records dct's own flags; true when the flag goes on to docker.
bool run_apply(ContainerCommandLine& out, ContainerVerb verb, const RunFlag& flag,
               const std::string& value) {
  if (flag.name == "server") {
    out.server = value;
    return false;
  }
  if (flag.name == "trust-dir") {
    out.trust_dir = value;
    return false;
  }
  if (flag.name == "help") out.help = run_go_bool(verb, value);
  if (flag.name == "disable-content-trust") {
    // Docker 28's switch; Docker 29 only warns that it is gone. dct always verifies.
    if (run_go_bool(verb, value))
      throw Error(
          ErrorCode::invalid_argument,
          fmt::format("docker dct {} always verifies the image through content trust: "
                      "--disable-content-trust would turn that off",
                      verb_name(verb)),
          fmt::format("for an image you do not want verified, use `docker {}`", verb_name(verb)));
    return false;
  }
  return true;
}

}  // namespace

ContainerCommandLine parse_container_command_line(const std::vector<std::string>& args,
                                                  ContainerVerb verb) {
  ContainerCommandLine out;
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s.size() < 2 || s[0] != '-') break;  // the image
    if (s == "--") {
      out.options.push_back(s);
      ++i;
      break;
    }
    if (s[1] == '-') {
      const std::string name = s.substr(2);
      if (name[0] == '-' || name[0] == '=') run_usage(verb, fmt::format("bad flag syntax: {}", s));
      const std::size_t eq = name.find('=');
      const RunFlag* flag = run_flag_by_name(name.substr(0, eq), verb);
      if (!flag) run_usage(verb, fmt::format("unknown flag: --{}", name.substr(0, eq)));
      std::vector<std::string> tokens{s};
      std::string value = "true";
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
      } else if (flag->takes == kTakesValue) {
        if (i + 1 >= args.size()) run_usage(verb, fmt::format("flag needs an argument: {}", s));
        value = args[++i];
        tokens.push_back(value);
      }
      if (run_apply(out, verb, *flag, value))
        out.options.insert(out.options.end(), tokens.begin(), tokens.end());
      continue;
    }
    // A group of shorthands: booleans, until one that takes a value takes the rest of the
    // group (`-eK=V`, `-e=K=V`) or the next argument.
    const std::string group = s.substr(1);
    out.options.push_back(s);
    for (std::size_t k = 0; k < group.size(); ++k) {
      const RunFlag* flag = run_flag_by_shorthand(group[k], verb);
      if (!flag) run_usage(verb, fmt::format("unknown shorthand flag: '{}' in {}", group[k], s));
      if (flag->takes == kTakesNothing) {
        if (group.size() > k + 2 && group[k + 1] == '=') break;  // -t=false
        continue;
      }
      if (k + 1 == group.size()) {
        if (i + 1 >= args.size())
          run_usage(verb, fmt::format("flag needs an argument: '{}' in {}", group[k], s));
        out.options.push_back(args[++i]);
      }
      break;
    }
  }
  if (out.help) return out;
  if (i >= args.size())
    throw Error(
        ErrorCode::invalid_argument,
        fmt::format("\"docker dct {}\" requires at least 1 argument: the image", verb_name(verb)),
        fmt::format("Usage:  docker dct {} [OPTIONS] IMAGE[:TAG] [COMMAND] [ARG...]",
                    verb_name(verb)));
  out.image = args[i];
  out.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  return out;
}

std::vector<std::string> docker_container_args(const ContainerCommandLine& line, ContainerVerb verb,
                                               const std::string& pinned) {
  std::vector<std::string> out{verb_name(verb)};
  out.insert(out.end(), line.options.begin(), line.options.end());
  out.push_back(pinned);
  out.insert(out.end(), line.command.begin(), line.command.end());
  return out;
}

}  // namespace dct::plugin
