#pragma once
// How the binary was called: as a Docker CLI plugin (docker's global flags, then "dct", then
// the command), standalone (the command first), or through a docker-trust-pull/-push symlink.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dct::plugin {

inline constexpr const char* kPluginName = "dct";

struct Invocation {
  enum class Mode { metadata, plugin, standalone };
  Mode mode = Mode::standalone;
  std::vector<std::string> global_args;  // docker's global flags as given, to pass back to docker
  std::optional<std::filesystem::path> config_dir;  // --config
  bool debug = false;                               // -D, --debug, -l debug
  bool help_form = false;         // `docker help dct [sub...]`: print help for args
  bool complete_form = false;     // `docker __complete dct ...`
  std::vector<std::string> args;  // the command and its arguments
  std::string original_cli;       // DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// Throws dct::Error(invalid_argument) for a global flag missing its value.
Invocation parse_invocation(const std::vector<std::string>& argv, const EnvLookup& env);

}  // namespace dct::plugin
