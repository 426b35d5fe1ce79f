#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "base/errors.h"
#include "plugin/docker_exec.h"

using namespace dct::plugin;

namespace {

// A shell stands in for the Docker CLI: `script` is what it runs.
struct Run {
  int rc = -1;
  std::string out;
};

Run run_shell(const std::string& script, bool terminal) {
  Invocation inv;
  inv.original_cli = "/bin/sh";
  Run r;
  r.rc = run_docker_reading_output(inv, {"-c", script}, terminal,
                                   [&](std::string_view chunk) { r.out += chunk; });
  return r;
}

}  // namespace

TEST_CASE("docker's output reaches the caller whole, with its exit status") {
  auto r = run_shell(
      "printf 'The push refers to repository [r/app]\\n'; i=0; "
      "while [ $i -lt 2000 ]; do echo \"layer $i: Pushed\"; i=$((i+1)); done; "
      "printf 'v1: digest: sha256:ab size: 5'; exit 3",
      false);
  CHECK(r.rc == 3);
  CHECK(r.out.rfind("The push refers to repository [r/app]\n", 0) == 0);
  CHECK(r.out.find("layer 1999: Pushed\nv1: digest: sha256:ab size: 5") != std::string::npos);
}

TEST_CASE("with a terminal, docker's stdout is a terminal and its bytes pass unchanged") {
  auto r = run_shell("if [ -t 1 ]; then printf 'tty\\n'; else printf 'pipe\\n'; fi", true);
  CHECK(r.rc == 0);
  CHECK(r.out == "tty\n");  // no "\r\n": our own terminal translates line ends
  auto p = run_shell("if [ -t 1 ]; then printf 'tty\\n'; else printf 'pipe\\n'; fi", false);
  CHECK(p.out == "pipe\n");
}

TEST_CASE("a process docker leaves behind holding its stdout does not hold up the command") {
  const auto start = std::chrono::steady_clock::now();
  auto r = run_shell("sleep 5 & echo pushed", false);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.rc == 0);
  CHECK(r.out == "pushed\n");
  CHECK(took < std::chrono::seconds(3));
}

TEST_CASE("a Docker CLI that cannot be run is an error naming it") {
  Invocation inv;
  inv.original_cli = "/nonexistent/docker";
  CHECK_THROWS_WITH_AS(
      run_docker_reading_output(inv, {"push", "x:1"}, false, [](std::string_view) {}),
      doctest::Contains("/nonexistent/docker"), dct::Error);
}

TEST_CASE("a Docker CLI killed by a signal exits 128 plus the signal, as a shell reports it") {
  auto r = run_shell("echo started; kill -TERM $$", false);
  CHECK(r.rc == 128 + 15);
  CHECK(r.out == "started\n");
  Invocation inv;
  inv.original_cli = "/bin/sh";
  CHECK(run_docker(inv, {"-c", "exit 7"}) == 7);
}
