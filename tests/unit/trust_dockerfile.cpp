// Reading image references out of Dockerfiles as Docker's parser does, and rewriting only them.
#include <doctest/doctest.h>

#include "error_code_of.h"
#include "trust/dockerfile.h"
#include "trust/errors.h"

using dct::ErrorCode;
using dct::test::code_of;
using namespace dct::trust;

namespace {

using Strings = std::vector<std::string>;

std::string shown(const ImageRef& r) {
  return r.scratch ? "<scratch>" : r.stage_reference ? "<stage " + r.image + ">" : r.image;
}

// The FROM images only.
Strings images(const std::string& text, std::map<std::string, std::string> args = {}) {
  Strings out;
  for (const auto& r : parse_dockerfile(text, args).refs)
    if (r.source == RefSource::from) out.push_back(shown(r));
  return out;
}

// Every reference, as "<instruction> <image>".
Strings refs(const std::string& text) {
  Strings out;
  for (const auto& r : parse_dockerfile(text, {}).refs)
    out.push_back(std::string(describe(r.source)) + " " + shown(r));
  return out;
}

// The text with every rewritable non-stage reference replaced by "<image>@D".
std::string pinned(const std::string& text) {
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::string>> edits;
  for (const auto& r : parse_dockerfile(text, {}).refs) {
    if (r.stage_reference || r.scratch) continue;
    REQUIRE(r.rewritable);
    edits.push_back({{r.begin, r.end}, r.image + "@D"});
  }
  return replace_ranges(text, edits);
}

std::string message_of(const std::string& text) {
  try {
    parse_dockerfile(text, {});
  } catch (const dct::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("dockerfile: plain, lower-case, platform flags and stages") {
  CHECK(images("FROM alpine:3.19\n") == Strings{"alpine:3.19"});
  CHECK(images("from alpine\nRUN x\n") == Strings{"alpine"});
  CHECK(images("FROM --platform=linux/arm64 alpine AS a\n") == Strings{"alpine"});
  CHECK(images("FROM golang:1.22 AS Build\nFROM build\nFROM BUILD\nFROM scratch\n") ==
        Strings{"golang:1.22", "<stage build>", "<stage BUILD>", "<scratch>"});
  // A stage name only counts after it is defined.
  CHECK(images("FROM later\nFROM alpine AS later\n") == Strings{"later", "alpine"});
  // strings.EqualFold: the long s folds to s.
  CHECK(images("FROM a a\xC5\xBF b\nFROM b\n") == Strings{"a", "<stage b>"});
}

TEST_CASE("dockerfile: ARG before the first FROM, defaults and overrides") {
  const std::string df =
      "ARG REG=registry.example.com\nARG TAG\nARG V=1.${TAG:-0}\n"
      "FROM $REG/app:${TAG:-latest}\nFROM ${REG}/base:$V\nARG LATE=x\nFROM $LATE\n";
  CHECK(images(df.substr(0, df.rfind("FROM $LATE"))) ==
        Strings{"registry.example.com/app:latest", "registry.example.com/base:1.0"});
  CHECK(images(df.substr(0, df.rfind("FROM $LATE")), {{"TAG", "7"}, {"REG", "r.io"}}) ==
        Strings{"r.io/app:7", "r.io/base:1.7"});
  // ARGs after the first FROM do not reach FROM lines; an empty image is an error.
  CHECK(code_of([&] { images(df); }) == ErrorCode::dockerfile_invalid);
  CHECK(images("ARG A\nFROM x${A:+-suffix}\n", {{"A", "1"}}) == Strings{"x-suffix"});
  CHECK(images("ARG Q=\"quoted:1\"\nFROM $Q\n") == Strings{"quoted:1"});
}

TEST_CASE("dockerfile: comments, continuations, directives") {
  const std::string df =
      "# syntax=docker/dockerfile:1\n# escape=`\n\n# a comment\nFROM `\n  alpine:3 `\n  AS a\n"
      "RUN echo `\nFROM continued-run-line\nRUN echo \\\nFROM b\n";
  const auto all = parse_dockerfile(df, {}).refs;
  // The backtick continues RUN's line; a backslash does not under this escape character.
  REQUIRE(all.size() == 3);
  CHECK(all[0].source == RefSource::syntax);
  CHECK(all[0].image == "docker/dockerfile:1");
  CHECK(all[1].image == "alpine:3");
  CHECK(all[1].stage == "a");
  CHECK(all[1].line == 5);
  CHECK(all[2].image == "b");
  CHECK(images("FROM alpine \\\n# inside\n  AS x\nFROM x\n") == Strings{"alpine", "<stage x>"});
  CHECK(code_of([] { parse_dockerfile("# escape=x\nFROM a\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("# escape=`\n# escape=`\nFROM a\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
}

TEST_CASE("dockerfile: lines docker reads as instructions are never hidden") {
  // An escaped escape character at the end of a line does not continue it.
  CHECK(images("FROM a\nRUN echo \\\\\nFROM evil\n") == Strings{"a", "evil"});
  // Spaces and tabs may follow the escape character, nothing else.
  CHECK(images("FROM a\nRUN echo \\ \t\nFROM joined\n") == Strings{"a"});
  CHECK(images("FROM a\nRUN echo \\\f\nFROM evil\n") == Strings{"a", "evil"});
  // An unknown directive ends the directives: the escape directive after it is a comment,
  // so the backtick does not continue the RUN line.
  CHECK(images("# foo=bar\n# escape=`\nFROM a\nRUN x `\nFROM evil\n") == Strings{"a", "evil"});
  // A blank line ends them too; spaces before # are allowed (the line is trimmed first).
  CHECK(images("\n# escape=`\nFROM a\nRUN x `\nFROM evil\n") == Strings{"a", "evil"});
  CHECK(images("  # escape=`\nFROM a\nRUN x \\\nFROM b\n") == Strings{"a", "b"});
  // Leading Unicode white space (NBSP, U+3000) is trimmed as Go trims it.
  CHECK(images("FROM a\n\xC2\xA0"
               "FROM evil1\n\xE3\x80\x80"
               "FROM evil2\n") == Strings{"a", "evil1", "evil2"});
  // A byte-order mark before the first instruction.
  CHECK(images("\xEF\xBB\xBF"
               "FROM a\n") == Strings{"a"});
  // CRLF line ends.
  CHECK(images("FROM a\r\nRUN x \\\r\n  y\r\nFROM b\r\n") == Strings{"a", "b"});
}

TEST_CASE("dockerfile: heredoc bodies are not instructions") {
  // Without heredocs, the FROM in the body would make "fake" a stage, and the COPY --from of
  // the image called fake would be left unpinned.
  CHECK(refs("FROM a\nRUN <<EOF\nFROM x AS fake\nEOF\nCOPY --from=fake /a /b\n") ==
        Strings{"FROM a", "COPY --from fake"});
  CHECK(images("FROM a\nRUN <<-EOF\n\tFROM hidden\n\tEOF\nFROM b\n") == Strings{"a", "b"});
  CHECK(images("FROM a\nRUN <<\"EOF\" bash\nFROM hidden\nEOF\nFROM b\n") == Strings{"a", "b"});
  CHECK(images("FROM a\nCOPY <<one <<two /dst/\nFROM h1\none\nFROM h2\ntwo\nFROM b\n") ==
        Strings{"a", "b"});
  CHECK(images("FROM a\nRUN 3<< EOF cat\nFROM hidden\nEOF\nFROM b\n") == Strings{"a", "b"});
  CHECK(images("FROM a\nONBUILD RUN <<EOF\nFROM hidden\nEOF\nFROM b\n") == Strings{"a", "b"});
  CHECK(images("FROM a\nRUN cat <<EOF \\\n  && true\nFROM hidden\nEOF\nFROM b\n") ==
        Strings{"a", "b"});
  // Not heredocs: quoted, JSON form, other instructions, and the ${...} quirk of BuildKit's
  // lexer that drops the start of a word.
  CHECK(images("FROM a\nRUN echo \"<<EOF\"\nFROM b\n") == Strings{"a", "b"});
  CHECK(images("FROM a\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\nFROM b\nEOF\n") == Strings{"a", "b"});
  CHECK(images("FROM a\nENV X <<EOF\nFROM b\nEOF\n") == Strings{"a", "b"});
  CHECK(images("FROM a\nRUN cat <<EOF${A:-x}\nFROM b\nEOF${A:-x}\n") == Strings{"a", "b"});
  // A body line that only looks like the terminator (a space after it) does not end it.
  CHECK(code_of([] { parse_dockerfile("FROM a\nRUN <<EOF\nEOF \n", {}); }) ==
        ErrorCode::dockerfile_invalid);
}

TEST_CASE("dockerfile: COPY --from names a stage, an index, scratch or an image") {
  const std::string df =
      "FROM golang AS Build\nFROM alpine\nCOPY --from=build /a /a\nCOPY --from=BUILD /a /a\n"
      "COPY --from=0 /a /a\nCOPY --from=+1 /a /a\nCOPY --from=scratch /a /a\n"
      "COPY --link --from=registry.example.com/tools:2 /a /a\n"
      "COPY --from=99999999999999999999 /a /a\n";
  CHECK(refs(df) == Strings{"FROM golang", "FROM alpine", "COPY --from <stage build>",
                            "COPY --from <stage BUILD>", "COPY --from <stage 0>",
                            "COPY --from <stage +1>", "COPY --from <scratch>",
                            "COPY --from registry.example.com/tools:2",
                            "COPY --from 99999999999999999999"});
  // A flag has to start with --: a quoted one is a source path.
  CHECK(refs("FROM a\nCOPY \"--from=tools:1\" /a /b\n") == Strings{"FROM a"});
  // Quotes inside the flag are the parser's, not the value's: it can still be rewritten.
  CHECK(pinned("FROM a\nCOPY --from=\"tools:1\" /a /b\n") ==
        "FROM a@D\nCOPY --from=\"tools:1@D\" /a /b\n");
}

TEST_CASE("dockerfile: a --from docker would read otherwise is refused") {
  // A stage that is not finished: BuildKit refuses it, the legacy builder pulls an image.
  CHECK(
      message_of("FROM a AS one\nCOPY --from=two /a /b\nFROM b AS two\n").find("stage of line 3") !=
      std::string::npos);
  CHECK(code_of([] { parse_dockerfile("FROM a AS self\nCOPY --from=self /a /b\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  // No expansion there.
  CHECK(code_of([] { parse_dockerfile("ARG I=x\nFROM a\nCOPY --from=$I /a /b\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("FROM a\nCOPY --from=a\\\\b /a /b\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("FROM a\nCOPY --from=x --from=y /a /b\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("FROM a\nCOPY --from /a /b\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  // Split by a continuation: found, but not rewritable in place.
  const auto split = parse_dockerfile("FROM a\nCOPY --from=to\\\nols /a /b\n", {}).refs;
  REQUIRE(split.size() == 2);
  CHECK(split[1].image == "tools");
  CHECK_FALSE(split[1].rewritable);
}

TEST_CASE("dockerfile: RUN --mount from= is read as BuildKit reads the CSV") {
  const std::string df =
      "FROM golang AS build\nFROM alpine\n"
      "RUN --mount=type=bind,from=tools:1,target=/t --mount=type=cache,from=build,target=/c x\n"
      "RUN --mount=type=secret,id=s --mount=target=/x,FROM=other:2 y\n"
      "RUN --mount=\"type=bind,from=quoted:3,target=/q\" z\n"
      "RUN --mount='type=bind,\"from=csv:4\",\"target=/a,b\"' w\n"
      "RUN --mount=from=0,target=/zero v\n";
  CHECK(refs(df) == Strings{"FROM golang", "FROM alpine", "RUN --mount from tools:1",
                            "RUN --mount from <stage build>", "RUN --mount from other:2",
                            "RUN --mount from quoted:3", "RUN --mount from csv:4",
                            "RUN --mount from 0"});
  CHECK(
      pinned("FROM a\nRUN --mount=type=bind,from=t:1,target=/t \\\n  --mount='\"from=u:2\"' x\n") ==
      "FROM a@D\nRUN --mount=type=bind,from=t:1@D,target=/t \\\n  --mount='\"from=u:2@D\"' x\n");
  CHECK(code_of([] { parse_dockerfile("FROM a\nRUN --mount=from=x,from=y z\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("FROM a\nRUN --mount=from=$X z\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("FROM a\nRUN --mount='from=\"x' z\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  CHECK(code_of([] {
          parse_dockerfile("FROM a\nRUN --mount=from=later z\nFROM b AS later\n", {});
        }) == ErrorCode::dockerfile_invalid);
}

TEST_CASE("dockerfile: the # syntax directive, found as BuildKit finds it") {
  CHECK(refs("# syntax=docker/dockerfile:1.7\nFROM a\n") ==
        Strings{"# syntax docker/dockerfile:1.7", "FROM a"});
  CHECK(refs("#Syntax = reg.example.com/fe:2 --opt\nFROM a\n") ==
        Strings{"# syntax reg.example.com/fe:2", "FROM a"});
  CHECK(pinned("# escape=`\n#  syntax = fe:2  arg \nFROM a\n") ==
        "# escape=`\n#  syntax = fe:2@D  arg \nFROM a@D\n");
  CHECK(refs("#!/usr/bin/env buildctl\n# syntax=fe:1\nFROM a\n") ==
        Strings{"# syntax fe:1", "FROM a"});
  CHECK(refs("\xEF\xBB\xBF# syntax=fe:1\nFROM a\n") == Strings{"# syntax fe:1", "FROM a"});
  // Not directives: after an unknown key, after a blank line, or not in the first column.
  CHECK(refs("# hello=x\n# syntax=fe:1\nFROM a\n") == Strings{"FROM a"});
  CHECK(refs("\n# syntax=fe:1\nFROM a\n") == Strings{"FROM a"});
  CHECK(refs(" # syntax=fe:1\nFROM a\n") == Strings{"FROM a"});
  // Forms BuildKit takes that dct does not rewrite.
  CHECK(code_of([] { parse_dockerfile("// syntax=fe:1\nFROM a\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("{\"syntax\": \"fe:1\"}", {}); }) ==
        ErrorCode::dockerfile_invalid);
}

TEST_CASE("dockerfile: malformed FROM lines are errors naming the line") {
  CHECK(code_of([] { parse_dockerfile("FROM\n", {}); }) == ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("RUN x\nFROM a b c\n", {}); }) ==
        ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("FROM ${A\n", {}); }) == ErrorCode::dockerfile_invalid);
  CHECK(code_of([] { parse_dockerfile("FROM a AS 1x\n", {}); }) == ErrorCode::dockerfile_invalid);
  CHECK(message_of("RUN x\nFROM a AS\n").find("line 2") != std::string::npos);
}

TEST_CASE("dockerfile: rewriting replaces only the image, byte for byte elsewhere") {
  const std::string df = "ARG T=1\r\nFROM  --platform=x  app:$T  AS  s \r\nRUN a\r\nFROM s\r\n";
  auto f = parse_dockerfile(df, {}).refs;
  REQUIRE(f.size() == 2);
  CHECK(f[0].rewritable);
  CHECK(df.substr(f[0].begin, f[0].end - f[0].begin) == "app:$T");
  const std::string out = replace_ranges(df, {{{f[0].begin, f[0].end}, "app:1@sha256:ab"}});
  CHECK(out == "ARG T=1\r\nFROM  --platform=x  app:1@sha256:ab  AS  s \r\nRUN a\r\nFROM s\r\n");
  // An image name split by a continuation cannot be rewritten in place.
  auto split = parse_dockerfile("FROM app\\\n:1\n", {}).refs;
  REQUIRE(split.size() == 1);
  CHECK(split[0].image == "app:1");
  CHECK_FALSE(split[0].rewritable);
}
