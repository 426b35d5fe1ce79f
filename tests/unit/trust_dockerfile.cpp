// Reading base images out of Dockerfiles as Docker's parser does, and rewriting only them.
#include <doctest/doctest.h>

#include "error_code_of.h"
#include "trust/dockerfile.h"
#include "trust/errors.h"

using dct::ErrorCode;
using dct::test::code_of;
using namespace dct::trust;

namespace {

std::vector<std::string> images(const std::string& text,
                                std::map<std::string, std::string> args = {}) {
  std::vector<std::string> out;
  for (const auto& f : parse_dockerfile(text, args).froms)
    out.push_back(f.scratch           ? "<scratch>"
                  : f.stage_reference ? "<stage " + f.image + ">"
                                      : f.image);
  return out;
}

}  // namespace

TEST_CASE("dockerfile: plain, lower-case, platform flags and stages") {
  CHECK(images("FROM alpine:3.19\n") == std::vector<std::string>{"alpine:3.19"});
  CHECK(images("from alpine\nRUN x\n") == std::vector<std::string>{"alpine"});
  CHECK(images("FROM --platform=linux/arm64 alpine AS a\n") == std::vector<std::string>{"alpine"});
  CHECK(images("FROM golang:1.22 AS Build\nFROM build\nFROM BUILD\nFROM scratch\n") ==
        std::vector<std::string>{"golang:1.22", "<stage build>", "<stage BUILD>", "<scratch>"});
  // A stage name only counts after it is defined.
  CHECK(images("FROM later\nFROM alpine AS later\n") ==
        std::vector<std::string>{"later", "alpine"});
}

TEST_CASE("dockerfile: ARG before the first FROM, defaults and overrides") {
  const std::string df =
      "ARG REG=registry.example.com\nARG TAG\nARG V=1.${TAG:-0}\n"
      "FROM $REG/app:${TAG:-latest}\nFROM ${REG}/base:$V\nARG LATE=x\nFROM $LATE\n";
  CHECK(
      images(df.substr(0, df.rfind("FROM $LATE"))) ==
      std::vector<std::string>{"registry.example.com/app:latest", "registry.example.com/base:1.0"});
  CHECK(images(df.substr(0, df.rfind("FROM $LATE")), {{"TAG", "7"}, {"REG", "r.io"}}) ==
        std::vector<std::string>{"r.io/app:7", "r.io/base:1.7"});
  // ARGs after the first FROM do not reach FROM lines; an empty image is an error.
  CHECK(code_of([&] { images(df); }) == ErrorCode::invalid_argument);
  CHECK(images("ARG A\nFROM x${A:+-suffix}\n", {{"A", "1"}}) ==
        std::vector<std::string>{"x-suffix"});
  CHECK(images("ARG Q=\"quoted:1\"\nFROM $Q\n") == std::vector<std::string>{"quoted:1"});
}

TEST_CASE("dockerfile: comments, continuations, directives") {
  const std::string df =
      "# syntax=docker/dockerfile:1\n# escape=`\n\n# a comment\nFROM `\n  alpine:3 `\n  AS a\n"
      "RUN echo `\nFROM continued-run-line\nRUN echo \\\nFROM b\n";
  auto froms = parse_dockerfile(df, {}).froms;
  // The backtick continues RUN's line; a backslash does not under this escape character.
  REQUIRE(froms.size() == 2);
  CHECK(froms[1].image == "b");
  CHECK(froms[0].image == "alpine:3");
  CHECK(froms[0].stage == "a");
  CHECK(froms[0].line == 5);
  CHECK(images("FROM alpine \\\n# inside\n  AS x\nFROM x\n") ==
        std::vector<std::string>{"alpine", "<stage x>"});
  CHECK(code_of([] { parse_dockerfile("# escape=x\nFROM a\n", {}); }) ==
        ErrorCode::invalid_argument);
}

TEST_CASE("dockerfile: malformed FROM lines are errors naming the line") {
  CHECK(code_of([] { parse_dockerfile("FROM\n", {}); }) == ErrorCode::invalid_argument);
  CHECK(code_of([] { parse_dockerfile("RUN x\nFROM a b c\n", {}); }) ==
        ErrorCode::invalid_argument);
  CHECK(code_of([] { parse_dockerfile("FROM ${A\n", {}); }) == ErrorCode::invalid_argument);
  try {
    parse_dockerfile("RUN x\nFROM a AS\n", {});
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(std::string(e.what()).find("line 2") != std::string::npos);
  }
}

TEST_CASE("dockerfile: rewriting replaces only the image, byte for byte elsewhere") {
  const std::string df = "ARG T=1\r\nFROM  --platform=x  app:$T  AS  s \r\nRUN a\r\nFROM s\r\n";
  auto f = parse_dockerfile(df, {}).froms;
  REQUIRE(f.size() == 2);
  CHECK(f[0].rewritable);
  CHECK(df.substr(f[0].begin, f[0].end - f[0].begin) == "app:$T");
  const std::string out = replace_ranges(df, {{{f[0].begin, f[0].end}, "app:1@sha256:ab"}});
  CHECK(out == "ARG T=1\r\nFROM  --platform=x  app:1@sha256:ab  AS  s \r\nRUN a\r\nFROM s\r\n");
  // An image name split by a continuation cannot be rewritten in place.
  auto split = parse_dockerfile("FROM app\\\n:1\n", {}).froms;
  REQUIRE(split.size() == 1);
  CHECK(split[0].image == "app:1");
  CHECK_FALSE(split[0].rewritable);
}
