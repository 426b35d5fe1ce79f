// docker run / docker create's command lines read as pflag reads them (interspersed flags off),
// and the arguments dct gives docker: the image pinned, everything else as it was.
#include <doctest/doctest.h>

#include "base/errors.h"
#include "plugin/run_args.h"

using dct::ErrorCode;
using namespace dct::plugin;

namespace {

using RunArgv = std::vector<std::string>;

std::string shown_args(const RunArgv& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "[" : "] [") + a;
  return out + "]";
}

RunArgv to_docker_run(RunArgv args) {
  return docker_container_args(parse_container_command_line(args, ContainerVerb::run),
                               ContainerVerb::run, "P");
}

}  // namespace

TEST_CASE("run args: the image is the first argument that is not a flag or a flag's value") {
  struct Case {
    RunArgv args;
    std::string image;
    RunArgv to_docker;
  };
  const std::vector<Case> cases{
      {{"app:1"}, "app:1", {"run", "P"}},
      {{"--rm", "-it", "app", "sh", "-c", "echo hi"},
       "app",
       {"run", "--rm", "-it", "P", "sh", "-c", "echo hi"}},
      {{"-e", "K=V", "app"}, "app", {"run", "-e", "K=V", "P"}},
      {{"-eK=V", "app"}, "app", {"run", "-eK=V", "P"}},
      {{"-ite", "K=V", "app"}, "app", {"run", "-ite", "K=V", "P"}},
      {{"--env=K=V", "app"}, "app", {"run", "--env=K=V", "P"}},
      {{"--name", "web", "app"}, "app", {"run", "--name", "web", "P"}},
      // A value is taken whatever it looks like, even a flag or an image name.
      {{"--name", "--rm", "app"}, "app", {"run", "--name", "--rm", "P"}},
      {{"-h", "myhost", "app"}, "app", {"run", "-h", "myhost", "P"}},
      {{"--platform", "linux/arm64", "--pull", "always", "app"},
       "app",
       {"run", "--platform", "linux/arm64", "--pull", "always", "P"}},
      {{"--pull=never", "app"}, "app", {"run", "--pull=never", "P"}},
      {{"--rm=false", "app"}, "app", {"run", "--rm=false", "P"}},
      {{"-t=false", "app"}, "app", {"run", "-t=false", "P"}},
      {{"-d", "-p", "8080:80", "-v", "/a:/b", "app"},
       "app",
       {"run", "-d", "-p", "8080:80", "-v", "/a:/b", "P"}},
      // Flags after the image belong to the container's command.
      {{"app", "--rm", "-e", "X"}, "app", {"run", "P", "--rm", "-e", "X"}},
      {{"app", "--", "ls"}, "app", {"run", "P", "--", "ls"}},
      {{"--", "app", "ls"}, "app", {"run", "--", "P", "ls"}},
      {{"--rm", "--", "-weird"}, "-weird", {"run", "--rm", "--", "P"}},
  };
  for (const auto& c : cases) {
    const std::string shown = shown_args(c.args);
    CAPTURE(shown);
    const auto line = parse_container_command_line(c.args, ContainerVerb::run);
    CHECK(line.image == c.image);
    CHECK(to_docker_run(c.args) == c.to_docker);
  }
}

TEST_CASE("run args: dct's own flags are taken out and never reach docker") {
  const RunArgv args{"--trust-dir", "/t",       "--rm", "--server=https://n:4443",
                     "app",         "--server", "x"};
  const auto line = parse_container_command_line(args, ContainerVerb::run);
  CHECK(line.trust_dir == std::optional<std::string>("/t"));
  CHECK(line.server == std::optional<std::string>("https://n:4443"));
  CHECK(to_docker_run(args) == RunArgv{"run", "--rm", "P", "--server", "x"});
}

TEST_CASE("run args: --disable-content-trust=false is dropped, turning verification off refused") {
  CHECK(to_docker_run({"--disable-content-trust=false", "--rm", "app"}) ==
        RunArgv{"run", "--rm", "P"});
  CHECK_THROWS_AS(
      parse_container_command_line({"--disable-content-trust", "app"}, ContainerVerb::run),
      dct::Error);
  CHECK_THROWS_AS(
      parse_container_command_line({"--disable-content-trust=true", "app"}, ContainerVerb::create),
      dct::Error);
}

TEST_CASE("run args: --help, and -h is the hostname as in docker run") {
  CHECK(parse_container_command_line({"--help"}, ContainerVerb::run).help);
  CHECK_FALSE(parse_container_command_line({"-h", "x", "app"}, ContainerVerb::run).help);
}

TEST_CASE("run args: mistakes are refused as docker refuses them") {
  struct Case {
    RunArgv args;
    ContainerVerb verb;
    std::string message;
  };
  const std::vector<Case> cases{
      {{}, ContainerVerb::run, "requires at least 1 argument"},
      {{"--rm"}, ContainerVerb::run, "requires at least 1 argument"},
      {{"--nope", "app"}, ContainerVerb::run, "unknown flag: --nope"},
      {{"-Z", "app"}, ContainerVerb::run, "unknown shorthand flag: 'Z' in -Z"},
      {{"--name"}, ContainerVerb::run, "flag needs an argument: --name"},
      {{"-e"}, ContainerVerb::run, "flag needs an argument: 'e' in -e"},
      // docker create has no -d, --detach-keys or --sig-proxy.
      {{"-d", "app"}, ContainerVerb::create, "unknown shorthand flag: 'd' in -d"},
      {{"--sig-proxy=false", "app"}, ContainerVerb::create, "unknown flag: --sig-proxy"},
  };
  for (const auto& c : cases) {
    const std::string shown = shown_args(c.args);
    CAPTURE(shown);
    try {
      parse_container_command_line(c.args, c.verb);
      FAIL("accepted");
    } catch (const dct::Error& e) {
      CHECK(e.code() == ErrorCode::invalid_argument);
      CHECK(std::string(e.what()).find(c.message) != std::string::npos);
    }
  }
}

TEST_CASE("run args: docker create takes what docker run takes but its three own flags") {
  const auto line =
      parse_container_command_line({"--name", "x", "-it", "app", "sh"}, ContainerVerb::create);
  CHECK(docker_container_args(line, ContainerVerb::create, "P") ==
        RunArgv{"create", "--name", "x", "-it", "P", "sh"});
}
