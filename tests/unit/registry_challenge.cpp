// WWW-Authenticate parsing.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "registry/challenge.h"

using dct::registry::Challenge;
using dct::registry::parse_www_authenticate;

TEST_CASE("challenge: registry Bearer challenge") {
  auto cs = parse_www_authenticate(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:localhost:5000/test/app:pull")");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].scheme == "bearer");
  CHECK(cs[0].is("Bearer"));
  CHECK(cs[0].param("realm") == "https://auth.example/token");
  CHECK(cs[0].param("service") == "registry.example");
  CHECK(cs[0].param("SCOPE") == "repository:localhost:5000/test/app:pull");
  CHECK_FALSE(cs[0].param("error").has_value());
}

TEST_CASE("challenge: case, spaces, commas in quotes, escapes") {
  auto cs = parse_www_authenticate(
      "bEaReR   REALM = \"https://a/t?x=1,2\" ,  Service=tok_en , "
      "scope=\"repository:a/b:push,pull\", error=\"say \\\"hi\\\" \\\\ ok\"");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].scheme == "bearer");
  CHECK(cs[0].param("realm") == "https://a/t?x=1,2");
  CHECK(cs[0].param("service") == "tok_en");
  CHECK(cs[0].param("scope") == "repository:a/b:push,pull");
  CHECK(cs[0].param("error") == "say \"hi\" \\ ok");
}

TEST_CASE("challenge: several challenges in one field and in several fields") {
  auto cs = parse_www_authenticate(
      R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");
  REQUIRE(cs.size() == 2);
  CHECK(cs[0].scheme == "newauth");
  CHECK(cs[0].param("type") == "1");
  CHECK(cs[0].param("title") == "Login to \"apps\"");
  CHECK(cs[1].scheme == "basic");
  CHECK(cs[1].param("realm") == "simple");

  auto two = parse_www_authenticate(
      std::vector<std::string>{R"(Basic realm="r")", R"(Bearer realm="https://x/token")"});
  REQUIRE(two.size() == 2);
  CHECK(two[0].is("basic"));
  CHECK(two[1].param("realm") == "https://x/token");

  auto bare = parse_www_authenticate("Basic, Bearer realm=x");
  REQUIRE(bare.size() == 2);
  CHECK(bare[0].scheme == "basic");
  CHECK(bare[0].params.empty());
  CHECK(bare[1].param("realm") == "x");
}

TEST_CASE("challenge: token68") {
  auto cs = parse_www_authenticate("Negotiate abc/+def==, Basic realm=\"x\"");
  REQUIRE(cs.size() == 2);
  CHECK(cs[0].token68 == "abc/+def==");
  CHECK(cs[1].param("realm") == "x");
}

TEST_CASE("challenge: garbage is skipped, never fatal") {
  CHECK(parse_www_authenticate("").empty());
  CHECK(parse_www_authenticate("   ,, ,").empty());
  CHECK(parse_www_authenticate("\"unterminated").empty());
  CHECK(parse_www_authenticate("=").empty());
  auto a = parse_www_authenticate("Bearer realm=\"unterminated");
  REQUIRE(a.size() == 1);
  CHECK(a[0].param("realm") == "unterminated");
  auto b = parse_www_authenticate("Bearer realm=\"x\"garbage, service=s");
  REQUIRE(b.size() == 1);
  CHECK(b[0].param("realm") == "x");
  CHECK(b[0].param("service") == "s");
  auto c = parse_www_authenticate("Bearer=oops, Basic realm=r");
  REQUIRE(c.size() == 1);
  CHECK(c[0].is("basic"));
  auto d = parse_www_authenticate("Bearer realm=, service=\"s\"");
  REQUIRE(d.size() == 1);
  CHECK(d[0].param("service") == "s");
  auto e = parse_www_authenticate("Bearer realm=\"a\\");
  REQUIRE(e.size() == 1);
  CHECK(e[0].param("realm") == "a");
}

TEST_CASE("challenge: random input terminates without crashing") {
  std::mt19937 rng(7);
  const std::string alphabet = "aB =,\"\\\t;/:+x";
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const std::size_t len = rng() % 40;
    for (std::size_t k = 0; k < len; ++k) s += alphabet[rng() % alphabet.size()];
    auto cs = parse_www_authenticate(s);
    for (const auto& ch : cs) CHECK_FALSE(ch.scheme.empty());
  }
}
