#include "plugin/help.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace dct::plugin {
namespace {

std::string first_word(const std::string& path) { return path.substr(0, path.find(' ')); }

std::string command_list(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& [name, _] : rows) width = std::max(width, name.size());
  std::string out;
  for (const auto& [name, summary] : rows)
    out += fmt::format("  {:<{}}   {}\n", name, std::max<size_t>(width, 8), summary);
  return out;
}

}  // namespace

std::string usage_line(const Command& c) {
  return fmt::format("docker dct {}{}{}", c.path, c.usage.empty() ? "" : " ", c.usage);
}

std::string group_summary(const std::string& group) {
  static const std::map<std::string, std::string> kGroupSummaries = {
      {"key", "Manage signing keys"},
      {"delegation", "Manage delegations (who may sign)"},
      {"signer", "Manage entities who can sign Docker images"},
      {"bundle", "Save and compare offline bundles of trust data"},
  };
  auto it = kGroupSummaries.find(group);
  return it == kGroupSummaries.end() ? std::string() : it->second;
}

std::string root_help(const std::string& short_description, bool standalone) {
  std::vector<std::pair<std::string, std::string>> commands, groups;
  std::set<std::string> seen_groups;
  for (const auto& c : all_commands()) {
    if (c.path.find(' ') == std::string::npos) {
      commands.emplace_back(c.path, c.summary);
    } else if (seen_groups.insert(first_word(c.path)).second) {
      groups.emplace_back(first_word(c.path), "");
    }
  }
  for (auto& [name, summary] : groups) summary = group_summary(name);
  std::sort(commands.begin(), commands.end());
  std::string out = fmt::format("\nUsage:  {} [OPTIONS] COMMAND\n\n{}\n\n",
                                standalone ? "docker-dct" : "docker dct", short_description);
  out += "Options:\n";
  if (standalone)
    out += "      --config string   Location of client config files (default \"~/.docker\")\n";
  out += "  -D, --debug           Enable debug mode: requests and their outcomes on stderr\n\n";
  if (!groups.empty()) out += "Management Commands:\n" + command_list(groups) + "\n";
  out += "Commands:\n" + command_list(commands);
  out += "\nRun 'docker dct COMMAND --help' for more information on a command.\n";
  return out;
}

std::string group_help(const std::string& group) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& c : all_commands())
    if (first_word(c.path) == group && c.path != group)
      rows.emplace_back(c.path.substr(group.size() + 1), c.summary);
  std::sort(rows.begin(), rows.end());
  return fmt::format(
      "\nUsage:  docker dct {} COMMAND\n\n{}\n\nCommands:\n{}\nRun 'docker dct {} COMMAND --help' "
      "for more information on a command.\n",
      group, "Manage " + group + "s", command_list(rows), group);
}

std::vector<std::string> aliases_of(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& [alias, real] : command_aliases())
    if (real == path) out.push_back(alias);
  return out;
}

std::string command_help(const Command& c, const CLI::App& app) {
  std::string out = fmt::format("\nUsage:  {}\n\n{}\n", usage_line(c),
                                c.description.empty() ? c.summary : c.description);
  if (const auto aliases = aliases_of(c.path); !aliases.empty()) {
    std::string names = "docker dct " + c.path;
    for (const auto& a : aliases) names += ", docker dct " + a;
    out += fmt::format("\nAliases:\n  {}\n", names);
  }
  std::vector<std::pair<std::string, std::string>> rows;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_positional()) continue;
    if (opt->check_lname("help")) continue;  // listed last, below
    std::string shorts, longs;
    for (const auto& s : opt->get_snames()) shorts = "-" + s;
    for (const auto& l : opt->get_lnames()) longs = "--" + l;
    std::string left = shorts.empty() ? "    " + longs : shorts + ", " + longs;
    if (opt->get_type_size() != 0 && opt->get_expected_min() > 0) {
      std::string type = opt->get_type_name();
      if (type.empty() || type == "TEXT") type = "string";
      if (type == "INT" || type == "UINT") type = "int";
      left += " " + type;
    }
    std::string desc = opt->get_description();
    if (!opt->get_default_str().empty())
      desc += fmt::format(" (default {})", opt->get_default_str());
    rows.emplace_back(left, desc);
  }
  rows.emplace_back("-h, --help", "Print usage");
  size_t width = 0;
  for (const auto& [l, _] : rows) width = std::max(width, l.size());
  out += "\nOptions:\n";
  for (const auto& [l, d] : rows) out += fmt::format("  {:<{}}   {}\n", l, width, d);
  if (!c.examples.empty()) out += "\nExamples:\n" + c.examples;
  return out;
}

}  // namespace dct::plugin
