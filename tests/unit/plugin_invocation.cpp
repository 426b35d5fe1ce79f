#include <doctest/doctest.h>

#include <map>

#include "base/errors.h"
#include "env_of.h"
#include "plugin/invocation.h"

using namespace dct::plugin;
using dct::test::env_of;

namespace {

const EnvLookup kPlugin = env_of({{"DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND", "docker"}});
const EnvLookup kStandalone = env_of({});

}  // namespace

TEST_CASE("the metadata call is recognised first") {
  auto inv = parse_invocation({"/x/docker-dct", "docker-cli-plugin-metadata"}, kStandalone);
  CHECK(inv.mode == Invocation::Mode::metadata);
}

TEST_CASE("docker's global flags before the plugin name are skipped and remembered") {
  auto inv = parse_invocation(
      {"docker-dct", "--config", "/cfg", "--context", "default", "-D", "-l", "debug", "-H",
       "unix:///x", "--tls", "--tlscacert=/ca", "dct", "resolve", "--server", "https://n", "a/b:1"},
      kPlugin);
  CHECK(inv.mode == Invocation::Mode::plugin);
  REQUIRE(inv.config_dir);
  CHECK(inv.config_dir->string() == "/cfg");
  CHECK(inv.debug);
  CHECK(inv.global_args == std::vector<std::string>{"--config", "/cfg", "--context", "default",
                                                    "-D", "-l", "debug", "-H", "unix:///x", "--tls",
                                                    "--tlscacert=/ca"});
  CHECK(inv.args == std::vector<std::string>{"resolve", "--server", "https://n", "a/b:1"});
  CHECK(inv.original_cli == "docker");
}

TEST_CASE("value forms: --flag=value and -cvalue") {
  auto inv = parse_invocation({"docker-dct", "--config=/c", "-cprod", "-ldebug", "dct", "version"},
                              kPlugin);
  CHECK(inv.config_dir->string() == "/c");
  CHECK(inv.debug);
  CHECK(inv.args == std::vector<std::string>{"version"});
}

TEST_CASE("a global flag without its value is an error") {
  CHECK_THROWS_AS(parse_invocation({"docker-dct", "--config"}, kPlugin), dct::Error);
}

TEST_CASE("docker help dct and completion forms") {
  auto help = parse_invocation({"docker-dct", "help", "dct", "resolve"}, kPlugin);
  CHECK(help.help_form);
  CHECK(help.args == std::vector<std::string>{"resolve"});
  auto comp = parse_invocation({"docker-dct", "__complete", "dct", "res"}, kPlugin);
  CHECK(comp.complete_form);
  CHECK(comp.args == std::vector<std::string>{"res"});
}

TEST_CASE("standalone: the first word is the command") {
  auto inv = parse_invocation({"docker-dct", "resolve", "alpine"}, kStandalone);
  CHECK(inv.mode == Invocation::Mode::standalone);
  CHECK(inv.args == std::vector<std::string>{"resolve", "alpine"});
  auto with_flags =
      parse_invocation({"docker-dct", "--config", "/d", "-D", "resolve", "x"}, kStandalone);
  CHECK(with_flags.config_dir->string() == "/d");
  CHECK(with_flags.args == std::vector<std::string>{"resolve", "x"});
}

TEST_CASE("symlinks named docker-trust-pull and docker-trust-push") {
  auto pull = parse_invocation({"/usr/local/bin/docker-trust-pull", "alpine:3"}, kStandalone);
  CHECK(pull.args == std::vector<std::string>{"pull", "alpine:3"});
  auto push = parse_invocation({"docker-trust-push", "-D", "a/b:1"}, kStandalone);
  CHECK(push.args == std::vector<std::string>{"push", "a/b:1"});
  CHECK(push.debug);
}
