#pragma once
// Running the Docker CLI that ran the plugin (DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND) with the
// same global flags, for the daemon work: pull, push, tag.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/invocation.h"

namespace dct::plugin {

// The full argv that would be run (for messages and tests).
std::vector<std::string> docker_argv(const Invocation& inv, const std::vector<std::string>& args);
// Runs it with inherited stdio and returns its exit status (128+N when killed by signal N).
int run_docker(const Invocation& inv, const std::vector<std::string>& args);

// Runs it as run_docker does, but hands everything it writes to stdout to `output` (which shows
// it to the user) so that the caller can read it too. With `terminal`, docker's stdout is a
// pseudo-terminal the size of ours, so it draws its progress as it would on our terminal.
using OutputSink = std::function<void(std::string_view)>;
int run_docker_reading_output(const Invocation& inv, const std::vector<std::string>& args,
                              bool terminal, const OutputSink& output);

}  // namespace dct::plugin
