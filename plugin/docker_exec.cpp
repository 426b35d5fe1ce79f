#include "plugin/docker_exec.h"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "plugin/cancel.h"
#include "trust/errors.h"

extern char** environ;

namespace dct::plugin {

std::vector<std::string> docker_argv(const Invocation& inv, const std::vector<std::string>& args) {
  std::vector<std::string> argv;
  argv.push_back(inv.original_cli.empty() ? "docker" : inv.original_cli);
  argv.insert(argv.end(), inv.global_args.begin(), inv.global_args.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

int run_docker(const Invocation& inv, const std::vector<std::string>& args) {
  auto argv = docker_argv(inv, args);
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ);
  if (rc != 0)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot run the Docker CLI ({}): {}", argv[0], std::strerror(rc)),
                "install the docker CLI, or run this through it as 'docker dct ...'");
  int status = 0;
  bool forwarded = false;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (cancelled() && !forwarded) {
      ::kill(pid, SIGINT);
      forwarded = true;
    }
    ::usleep(20000);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace dct::plugin
