// docker build's command line read as pflag reads it, and the arguments dct gives docker build.
#include <doctest/doctest.h>

#include "error_code_of.h"
#include "plugin/build_args.h"
#include "trust/errors.h"

using dct::ErrorCode;
using dct::test::code_of;
using namespace dct::plugin;

namespace {

using Args = std::vector<std::string>;

BuildCommandLine parse(Args args) { return parse_build_command_line(args); }

std::string joined(const Args& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "[" : "] [") + a;
  return out + "]";
}

// What docker build is run with, the pinned file being "P".
Args docker(Args args) { return docker_build_args(parse(std::move(args)), "P"); }

}  // namespace

TEST_CASE("build args: every form of the file flag is found, and only dct's -f reaches docker") {
  struct Case {
    Args args;
    std::string file;
    Args to_docker;
  };
  const std::vector<Case> cases{
      {{"-f", "x.df", "ctx"}, "x.df", {"build", "--file", "P", "ctx"}},
      {{"-fx.df", "ctx"}, "x.df", {"build", "--file", "P", "ctx"}},
      {{"-f=x.df", "ctx"}, "x.df", {"build", "--file", "P", "ctx"}},
      {{"--file", "x.df", "ctx"}, "x.df", {"build", "--file", "P", "ctx"}},
      {{"--file=x.df", "ctx"}, "x.df", {"build", "--file", "P", "ctx"}},
      {{"-qf", "x.df", "ctx"}, "x.df", {"build", "-q", "--file", "P", "ctx"}},
      {{"-qfx.df", "ctx"}, "x.df", {"build", "-q", "--file", "P", "ctx"}},
      {{"-qf=x.df", "ctx"}, "x.df", {"build", "-q", "--file", "P", "ctx"}},
      {{"-qDf", "x.df", "ctx"}, "x.df", {"build", "-qD", "--file", "P", "ctx"}},
      // The last one wins, whatever the forms.
      {{"-f", "a", "--file=b", "-qfc", "ctx"}, "c", {"build", "-q", "--file", "P", "ctx"}},
      {{"--file", "a", "-f", "b", "ctx"}, "b", {"build", "--file", "P", "ctx"}},
      // A value may start with a dash; "-" is stdin.
      {{"-f", "-", "ctx"}, "-", {"build", "--file", "P", "ctx"}},
      {{"--file", "--weird", "ctx"}, "--weird", {"build", "--file", "P", "ctx"}},
      // -f= is the file "=" (pflag needs more than "f=" for the = form); --file= is the default.
      {{"-f=", "ctx"}, "=", {"build", "--file", "P", "ctx"}},
      {{"-f", "a", "--file=", "ctx"}, "", {"build", "--file", "P", "ctx"}},
      // Interspersed: the context may come first.
      {{"ctx", "-t", "app:1", "-f", "x"}, "x", {"build", "-t", "app:1", "--file", "P", "ctx"}},
  };
  for (const auto& c : cases) {
    const std::string shown = joined(c.args);
    CAPTURE(shown);
    const auto line = parse(c.args);
    REQUIRE(line.file.has_value());
    CHECK(*line.file == c.file);
    CHECK(line.context == "ctx");
    CHECK(docker(c.args) == c.to_docker);
  }
}

TEST_CASE("build args: values that look like file flags are not file flags") {
  // A flag that takes a value takes the next argument, whatever it is.
  auto line = parse({"-t", "-f", "--build-arg", "--file=x", "ctx"});
  CHECK_FALSE(line.file.has_value());
  CHECK(line.build_args == Args{"--file=x"});
  CHECK(docker({"-t", "-f", "--build-arg", "--file=x", "ctx"}) ==
        Args{"build", "-t", "-f", "--build-arg", "--file=x", "--file", "P", "ctx"});
  // In a group, a shorthand that takes a value takes the rest: -tf is the tag "f".
  CHECK_FALSE(parse({"-qtf", "ctx"}).file.has_value());
  CHECK(docker({"-qtf", "ctx"}) == Args{"build", "-qtf", "--file", "P", "ctx"});
  CHECK(docker({"-qt", "x", "ctx"}) == Args{"build", "-qt", "x", "--file", "P", "ctx"});
  // After --, everything is positional: "-f" is the context there.
  line = parse({"-q", "--", "-f"});
  CHECK_FALSE(line.file.has_value());
  CHECK(line.context == "-f");
  CHECK(docker({"-q", "--", "-f"}) == Args{"build", "-q", "--file", "P", "--", "-f"});
  // --check takes no separate value (only --check=...).
  CHECK(docker({"--check", "ctx"}) == Args{"build", "--check", "--file", "P", "ctx"});
}

TEST_CASE("build args: other flags pass through unchanged, dct's own are taken out") {
  const Args args{"--build-arg",
                  "A=1",
                  "--build-arg=B",
                  "-t",
                  "app:1",
                  "--no-cache",
                  "--server",
                  "https://n.example",
                  "--trust-dir=/td",
                  "-o",
                  "type=local,dest=o",
                  "--build-context",
                  "tools=./t",
                  "--push",
                  "-D",
                  "--platform=linux/arm64",
                  "."};
  const auto line = parse(args);
  CHECK(line.build_args == Args{"A=1", "B"});
  CHECK(line.build_contexts == Args{"tools=./t"});
  CHECK(line.server == "https://n.example");
  CHECK(line.trust_dir == "/td");
  CHECK(line.context == ".");
  CHECK(docker(args) == Args{"build", "--build-arg", "A=1", "--build-arg=B", "-t", "app:1",
                             "--no-cache", "-o", "type=local,dest=o", "--build-context",
                             "tools=./t", "--push", "-D", "--platform=linux/arm64", "--file", "P",
                             "."});
}

TEST_CASE("build args: --cache-from is recorded, dct's --allow-cache-from taken out") {
  const Args args{"--cache-from", "type=registry,ref=r/c", "--allow-cache-from",
                  "--cache-from=img:1", "."};
  const auto line = parse(args);
  CHECK(line.cache_from == Args{"type=registry,ref=r/c", "img:1"});
  CHECK(line.allow_cache_from);
  CHECK(docker(args) == Args{"build", "--cache-from", "type=registry,ref=r/c", "--cache-from=img:1",
                             "--file", "P", "."});
  CHECK_FALSE(parse({"--cache-from", "x", "."}).allow_cache_from);
}

TEST_CASE("build args: help") {
  CHECK(parse({"--help"}).help);
  CHECK(parse({"-qh"}).help);
  CHECK_FALSE(parse({"--help=false", "."}).help);
  CHECK(code_of([] { parse({"--help=maybe", "."}); }) == ErrorCode::invalid_argument);
}

TEST_CASE("build args: what docker would refuse, or dct cannot be sure of, is refused") {
  for (const Args& bad : std::vector<Args>{
           {"--bogus", "."},    // unknown to both builders
           {"-x", "."},         // unknown shorthand
           {"-qx", "."},        // unknown shorthand in a group
           {"-test.v", "."},    // pflag would silently skip it
           {"---file=x", "."},  // bad flag syntax
           {"--=x", "."},       // bad flag syntax
           {".", "-f"},         // -f without its value
           {"-qf"},             // the same in a group
           {"--tag"},           // any flag without its value
           {},                  // no context
           {"-t", "x"},         // no context
           {"a", "b"},          // two contexts
       }) {
    const std::string shown = joined(bad);
    CAPTURE(shown);
    CHECK(code_of([&] { parse(bad); }) == ErrorCode::invalid_argument);
  }
}
