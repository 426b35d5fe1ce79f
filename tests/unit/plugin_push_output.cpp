#include <doctest/doctest.h>

#include <string>

#include "plugin/push_output.h"

using namespace dct::plugin;

namespace {

const std::string kHexA(64, 'a');
const std::string kHexB = std::string(63, '0') + "b";

std::optional<PushedManifest> scan(const std::string& tag, const std::string& output,
                                   std::size_t chunk = 7) {
  PushDigestScanner s(tag);
  for (std::size_t i = 0; i < output.size(); i += chunk) s.feed(output.substr(i, chunk));
  return s.result();
}

}  // namespace

TEST_CASE("the digest line docker push prints without a terminal") {
  const std::string out =
      "The push refers to repository [localhost:5000/team/app]\n"
      "5f70bf18a086: Preparing\n"
      "5f70bf18a086: Pushed\n"
      "v1: digest: sha256:" +
      kHexA + " size: 527\n";
  auto m = scan("v1", out);
  REQUIRE(m);
  CHECK(m->digest == "sha256:" + kHexA);
  CHECK(m->size == 527);
}

TEST_CASE("the digest line among a terminal's cursor moves, erases and CRLF line ends") {
  const std::string out =
      "The push refers to repository [r/app]\r\n"
      "\x1b[1A\x1b[2K\r5f70bf18a086: Pushing [==>   ]  1MB/3MB\r\x1b[1B"
      "\x1b[2K\rv1: digest: sha256:" +
      kHexA + " size: 1234\x1b[0m\r\n";
  auto m = scan("v1", out, 3);
  REQUIRE(m);
  CHECK(m->digest == "sha256:" + kHexA);
  CHECK(m->size == 1234);
}

TEST_CASE("a last line without a newline counts") {
  auto m = scan("latest", "latest: digest: sha256:" + kHexA + " size: 9");
  REQUIRE(m);
  CHECK(m->size == 9);
}

TEST_CASE("only the pushed tag's line, and the last of them") {
  const std::string out = "v1: digest: sha256:" + kHexA + " size: 10\n" +  //
                          "v10: digest: sha256:" + kHexB + " size: 11\n" +
                          "1: digest: sha256:" + kHexB + " size: 12\n";
  auto m = scan("v1", out);
  REQUIRE(m);
  CHECK(m->digest == "sha256:" + kHexA);
  CHECK(m->size == 10);

  auto last = scan("v1", "v1: digest: sha256:" + kHexA + " size: 10\nv1: digest: sha256:" + kHexB +
                             " size: 20\n");
  REQUIRE(last);
  CHECK(last->digest == "sha256:" + kHexB);
  CHECK(last->size == 20);
}

TEST_CASE("no digest line, or a malformed one, reports nothing") {
  CHECK_FALSE(scan("v1", ""));
  CHECK_FALSE(scan("v1", "The push refers to repository [r/app]\nv1: Pushed\n"));
  CHECK_FALSE(scan("v1", "v1: digest: sha256:" + kHexA.substr(1) + " size: 5\n"));
  CHECK_FALSE(scan("v1", "v1: digest: sha256:" + std::string(64, 'A') + " size: 5\n"));
  CHECK_FALSE(scan("v1", "v1: digest: sha512:" + kHexA + kHexA + " size: 5\n"));
  CHECK_FALSE(scan("v1", "v1: digest: sha256:" + kHexA + " size: \n"));
  CHECK_FALSE(scan("v1", "v1: digest: sha256:" + kHexA + " size: 12x\n"));
  CHECK_FALSE(scan("v1", "v1: digest: sha256:" + kHexA + " size: 9999999999999\n"));
  CHECK_FALSE(scan("v1", "v1: digest: sha256:" + kHexA + "0 size: 5\n"));
  CHECK_FALSE(scan("v1", "xv1: digest: sha256:" + kHexA + " size: 5\n"));
  CHECK_FALSE(scan("", ": digest: sha256:" + kHexA + " size: 5\n"));
}

TEST_CASE("a line too long to be a digest line is skipped whole") {
  const std::string junk(20000, 'x');
  CHECK_FALSE(scan("v1", junk + "v1: digest: sha256:" + kHexA + " size: 5\n", 4096));
  auto m = scan("v1", junk + "\nv1: digest: sha256:" + kHexA + " size: 5\n", 4096);
  REQUIRE(m);
  CHECK(m->size == 5);
}

TEST_CASE("escape sequences cut off at the end of a line do not hide the rest") {
  CHECK_FALSE(parse_push_digest_line("\x1b", "v1"));
  CHECK_FALSE(parse_push_digest_line("\x1b[", "v1"));
  auto m = parse_push_digest_line(
      "\x1b]0;title\a\x1b"
      "7v1: digest: sha256:" +
          kHexA + " size: 3",
      "v1");
  REQUIRE(m);
  CHECK(m->size == 3);
}
