#pragma once
// Help text in the Docker CLI's layout.
#include <CLI/CLI.hpp>
#include <string>

#include "plugin/command.h"

namespace dct::plugin {

// `standalone`: run as docker-dct itself, where --config is dct's own flag, not docker's.
std::string root_help(const std::string& short_description, bool standalone);
// Help for a command group such as "key" (the commands under it).
std::string group_help(const std::string& group);
std::string command_help(const Command& command, const CLI::App& app);
std::string usage_line(const Command& command);

}  // namespace dct::plugin
