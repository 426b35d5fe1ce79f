#pragma once
// Running the Docker CLI that ran the plugin (DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND) with the
// same global flags, for the daemon work: pull, push, tag.
#include <string>
#include <vector>

#include "plugin/invocation.h"

namespace dct::plugin {

// The full argv that would be run (for messages and tests).
std::vector<std::string> docker_argv(const Invocation& inv, const std::vector<std::string>& args);
// Runs it with inherited stdio and returns its exit status (128+N when killed by signal N).
int run_docker(const Invocation& inv, const std::vector<std::string>& args);

}  // namespace dct::plugin
