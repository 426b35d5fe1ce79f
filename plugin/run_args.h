#pragma once
// `docker dct run` and `docker dct create`'s command lines, read as docker run / docker create
// read theirs (spf13/pflag with interspersed flags off): flags up to the first argument that is
// not one, that argument is the image and everything after it is the container's command,
// untouched. Short flags combine (`-it`, `-itd`), values come as `-eK=V`, `-e=K=V`, `-e K=V`,
// `--env K=V`, `--env=K=V`; a flag that takes a value takes the next argument whatever it starts
// with; `--` ends the flags. dct's own --server and --trust-dir are taken out, and so is
// --disable-content-trust=false (Docker 28's way to ask for verification; true is refused).
#include <optional>
#include <string>
#include <vector>

namespace dct::plugin {

enum class ContainerVerb { run, create };

struct ContainerCommandLine {
  std::vector<std::string> options;  // docker's flags before the image, as given ("--" too)
  std::string image;
  std::vector<std::string> command;  // after the image, unchanged
  std::optional<std::string> server, trust_dir;
  bool help = false;
};

// Throws dct::Error(invalid_argument) for a flag docker run (create) does not know, a flag
// without its value, and a missing image.
ContainerCommandLine parse_container_command_line(const std::vector<std::string>& args,
                                                  ContainerVerb verb);

// The arguments for the Docker CLI: run|create, the options, `pinned`, the command.
std::vector<std::string> docker_container_args(const ContainerCommandLine& line, ContainerVerb verb,
                                               const std::string& pinned);

}  // namespace dct::plugin
