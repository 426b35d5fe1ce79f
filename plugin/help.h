#pragma once
// Help text in the Docker CLI's layout.
#include <CLI/CLI.hpp>
#include <string>
#include <utility>
#include <vector>

#include "plugin/command.h"

namespace dct::plugin {

// `standalone`: run as docker-dct itself, where --config is dct's own flag, not docker's.
std::string root_help(const std::string& short_description, bool standalone);
// Help for a command group such as "key" (the commands under it).
std::string group_help(const std::string& group);
// The one line describing a command group ("key": "Manage signing keys"); empty when none.
std::string group_summary(const std::string& group);
std::string command_help(const Command& command, const CLI::App& app);
std::string usage_line(const Command& command);

// Other names commands answer to, docker's habit: {"key ls", "key list"} (plugin/commands.cpp).
const std::vector<std::pair<std::string, std::string>>& command_aliases();
// The other names of the command at `path` ("docker dct key ls" for "key list").
std::vector<std::string> aliases_of(const std::string& path);

}  // namespace dct::plugin
