#pragma once
// Shell completion through the Docker CLI. `docker __complete dct WORD... PARTIAL` runs the
// plugin as `docker-dct __complete dct WORD... PARTIAL`; the answer is cobra's protocol: one
// candidate a line, "value<TAB>description", then ":<directive>".
//
// Everything is derived from the command table (plugin/commands.cpp) and each command's CLI11
// declarations: subcommands and aliases with their summaries, flags with their descriptions,
// and what a flag's or argument's value is, from its name: IMAGE/REPOSITORY/--gun complete
// repositories of the trust cache (and their cached tags where the usage says IMAGE[:TAG]),
// FILE/KEYFILE/CERT/--key/--cert/--file/--output/--bundle complete files, CONTEXT/--dir
// directories, ROLE/--role role names, KEYID the trust dir's keys; words a flag's description
// quotes ("json") are offered for it. Nothing else is offered, and no file completion either.
// Completion reads local files only: never the network, never a prompt, never a message.
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace dct::plugin {

// cobra's ShellCompDirective bits.
inline constexpr int kCompDefault = 0;  // the shell's own completion (files) when nothing fits
inline constexpr int kCompError = 1;
inline constexpr int kCompNoSpace = 2;
inline constexpr int kCompNoFileComp = 4;
inline constexpr int kCompFilterFileExt = 8;
inline constexpr int kCompFilterDirs = 16;

struct CompletionCandidate {
  std::string value;
  std::string description;  // one line; may be empty
};

struct Completions {
  std::vector<CompletionCandidate> candidates;
  int directive = kCompNoFileComp;
};

// `args`: the words after "__complete dct"; the last is the word being completed ("" for a new
// one). `config_dir`: the docker config dir, where the trust dir is found unless the words
// name --trust-dir.
Completions complete_command_line(const std::vector<std::string>& args,
                                  const std::filesystem::path& config_dir);

// cobra's wire format. Candidates whose value or description could break a line are dropped
// (tags and names come from cached files a server wrote).
std::string render_completions(const Completions& completions);

// complete_command_line, rendered on `out`. Never throws: on any failure only ":1" is written.
void print_completions(const std::vector<std::string>& args,
                       const std::optional<std::filesystem::path>& config_flag, std::ostream& out);

}  // namespace dct::plugin
