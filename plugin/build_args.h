#pragma once
// `docker dct build`'s command line, read as docker build reads it (spf13/pflag, the flag
// tables of both builders: the legacy builder's and `docker buildx build`'s): short flags
// combine (`-qf X`, `-qfX`), values come as `-fX`, `-f=X`, `-f X`, `--file X`, `--file=X`, a
// flag that takes a value takes the next argument whatever it starts with, the last of a
// repeated flag wins, `--` ends the flags, and the one positional argument is the context.
// dct's own --server, --trust-dir and --allow-cache-from are taken out; so is every file flag,
// so that dct can give docker build the pinned Dockerfile as the only one.
#include <optional>
#include <string>
#include <vector>

namespace dct::plugin {

struct BuildCommandLine {
  std::vector<std::string> kept;    // docker build's arguments minus file flags and context
  std::optional<std::string> file;  // the file flag that wins ("" means the default)
  std::string context;
  std::vector<std::string> build_args;      // --build-arg values, in order
  std::vector<std::string> build_contexts;  // --build-context values, in order
  std::vector<std::string> cache_from;      // --cache-from values, in order
  bool allow_cache_from = false;            // dct's --allow-cache-from
  std::optional<std::string> server, trust_dir;
  bool help = false;
};

// Throws dct::Error(invalid_argument) for a flag neither builder knows, a flag without its
// value, and anything but exactly one context.
BuildCommandLine parse_build_command_line(const std::vector<std::string>& args);

// The arguments for the Docker CLI: build, the kept flags, --file PINNED, the context.
std::vector<std::string> docker_build_args(const BuildCommandLine& line, const std::string& pinned);

}  // namespace dct::plugin
