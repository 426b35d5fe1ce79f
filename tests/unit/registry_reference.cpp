// Image reference parsing and normalization (docker's reference library rules).
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "base/errors.h"
#include "registry/reference.h"

using dct::registry::parse_reference;
using dct::registry::parse_repository;
using dct::registry::Reference;

namespace {

const std::string kHex(64, 'a');
const std::string kDigest = "sha256:" + std::string(64, 'a');

std::string error_of(const std::string& text) {
  try {
    parse_reference(text);
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::invalid_reference);
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("reference: Docker Hub names are normalized") {
  Reference r = parse_reference("alpine");
  CHECK(r.domain == "docker.io");
  CHECK(r.path == "library/alpine");
  CHECK_FALSE(r.has_tag());
  CHECK(r.tag_or_latest() == "latest");
  CHECK_FALSE(r.has_digest());
  CHECK(r.gun() == "docker.io/library/alpine");
  CHECK(r.familiar() == "alpine");
  CHECK(r.str() == "docker.io/library/alpine");
  CHECK(r.registry_api_base() == "https://registry-1.docker.io");
  CHECK(r.credentials_key() == "https://index.docker.io/v1/");
  CHECK(r.is_docker_hub());

  Reference u = parse_reference("user/app:1.0");
  CHECK(u.gun() == "docker.io/user/app");
  CHECK(u.tag == "1.0");
  CHECK(u.familiar() == "user/app");
  CHECK(u.familiar_str() == "user/app:1.0");

  CHECK(parse_reference("docker.io/library/alpine:3").familiar_str() == "alpine:3");
  CHECK(parse_reference("docker.io/alpine").path == "library/alpine");
  CHECK(parse_reference("index.docker.io/library/alpine").domain == "docker.io");
  CHECK(parse_reference("index.docker.io/user/x").gun() == "docker.io/user/x");
  CHECK(parse_reference("library/alpine").familiar() == "alpine");
  CHECK(parse_reference("docker.io/library/a/b").familiar() == "library/a/b");
  CHECK(parse_reference("docker.io").gun() == "docker.io/library/docker.io");
  // No slash: "localhost:5000" is the image "localhost" with tag "5000".
  Reference lh = parse_reference("localhost:5000");
  CHECK(lh.gun() == "docker.io/library/localhost");
  CHECK(lh.tag == "5000");
}

TEST_CASE("reference: private registries") {
  Reference r = parse_reference("myreg:5000/a/b:tag");
  CHECK(r.domain == "myreg:5000");
  CHECK(r.path == "a/b");
  CHECK(r.tag == "tag");
  CHECK(r.gun() == "myreg:5000/a/b");
  CHECK(r.familiar() == "myreg:5000/a/b");
  CHECK(r.registry_api_base() == "https://myreg:5000");
  CHECK(r.credentials_key() == "myreg:5000");
  CHECK_FALSE(r.is_docker_hub());

  CHECK(parse_reference("localhost/x").domain == "localhost");
  CHECK(parse_reference("localhost/x").path == "x");
  CHECK(parse_reference("localhost:5000/test/app").gun() == "localhost:5000/test/app");
  CHECK(parse_reference("127.0.0.1:5000/a").domain == "127.0.0.1:5000");
  CHECK(parse_reference("registry.example.com/team/app").domain == "registry.example.com");
  CHECK(parse_reference("[::1]:5000/foo:bar").domain == "[::1]:5000");
  CHECK(parse_reference("[::1]:5000/foo:bar").tag == "bar");
  CHECK(parse_reference("[2001:db8::1]/foo").domain == "[2001:db8::1]");
  // An upper-case first component is a host name, as in docker.
  CHECK(parse_reference("Foo/bar").domain == "Foo");
  CHECK(parse_reference("my-reg.example:443/a_b/c__d/e-f/g.h").path == "a_b/c__d/e-f/g.h");
  CHECK(parse_reference("a/b---c").path == "a/b---c");
}

TEST_CASE("reference: digests") {
  Reference r = parse_reference("a/b@" + kDigest);
  CHECK(r.gun() == "docker.io/a/b");
  CHECK(r.digest == kDigest);
  CHECK_FALSE(r.has_tag());

  Reference both = parse_reference("a/b:tag@" + kDigest);
  CHECK(both.tag == "tag");
  CHECK(both.digest == kDigest);
  CHECK(both.str() == "docker.io/a/b:tag@" + kDigest);
  CHECK(both.familiar_str() == "a/b:tag@" + kDigest);

  CHECK(parse_reference("myreg:5000/x@" + kDigest).domain == "myreg:5000");
  CHECK(parse_reference("x@sha512:" + std::string(128, '0')).digest.size() == 7 + 128);
}

TEST_CASE("reference: repository names (GUNs)") {
  CHECK(parse_repository("docker.io/user/image").gun() == "docker.io/user/image");
  CHECK(parse_repository("localhost:5000/test/app").path == "test/app");
  CHECK_THROWS_AS(parse_repository("docker.io/user/image:1"), dct::Error);
  CHECK_THROWS_AS(parse_repository("a@" + kDigest), dct::Error);
}

TEST_CASE("reference: invalid input") {
  CHECK(error_of("").find("at least one component") != std::string::npos);
  CHECK(error_of("Alpine").find("must be lowercase") != std::string::npos);
  CHECK(error_of("user/App").find("must be lowercase") != std::string::npos);
  CHECK(error_of("myreg:5000/Team/app").find("(Team/app) must be lowercase") != std::string::npos);
  CHECK(error_of(kHex).find("64-byte hexadecimal") != std::string::npos);
  CHECK(error_of("alpine:").find("tag") != std::string::npos);
  CHECK(error_of("alpine:.bad").find("tag") != std::string::npos);
  CHECK(error_of("alpine:-bad").find("tag") != std::string::npos);
  CHECK(error_of("alpine:" + std::string(129, 'a')).find("tag") != std::string::npos);
  CHECK(error_of("alpine:" + std::string(128, 'a')).empty());
  CHECK(error_of("alpine:a+b").find("tag") != std::string::npos);
  CHECK(error_of("alpine@").find("digest") != std::string::npos);
  CHECK(error_of("alpine@sha256:abc").find("digest") != std::string::npos);
  CHECK(error_of("alpine@sha256:" + std::string(64, 'A')).find("digest") != std::string::npos);
  CHECK(error_of("alpine@md5:" + std::string(32, 'a')).find("digest") != std::string::npos);
  CHECK(error_of("alpine@" + kDigest + "@" + kDigest).find("digest") != std::string::npos);
  CHECK_FALSE(error_of("a//b").empty());
  CHECK_FALSE(error_of("/a").empty());
  CHECK_FALSE(error_of("a/").empty());
  CHECK_FALSE(error_of("-a").empty());
  CHECK_FALSE(error_of("a-").empty());
  CHECK_FALSE(error_of("a..b").empty());
  CHECK_FALSE(error_of("a___b").empty());
  CHECK_FALSE(error_of(" alpine").empty());
  CHECK_FALSE(error_of("alpine ").empty());
  CHECK_FALSE(error_of("a b").empty());
  CHECK_FALSE(error_of(":tag").empty());
  CHECK_FALSE(error_of("@" + kDigest).empty());
  CHECK_FALSE(error_of("myreg:/a").empty());
  CHECK_FALSE(error_of("myreg:port/a").empty());
  CHECK_FALSE(error_of("-myreg.com/a").empty());
  CHECK_FALSE(error_of("my_reg.com/a").empty());
  CHECK_FALSE(error_of("[::1/a").empty());
  CHECK_FALSE(error_of("[]:5000/a").empty());
  CHECK_FALSE(error_of("[::1]x/a").empty());
  CHECK_FALSE(error_of(std::string("a\0b", 3)).empty());
  CHECK(error_of("a/" + std::string(260, 'b')).find("255") != std::string::npos);
  CHECK(error_of("a/" + std::string(240, 'b')).empty());
}

TEST_CASE("reference: validators") {
  using namespace dct::registry;
  CHECK(is_valid_tag("latest"));
  CHECK(is_valid_tag("_x"));
  CHECK(is_valid_tag("1.0-rc.1_b"));
  CHECK_FALSE(is_valid_tag(""));
  CHECK_FALSE(is_valid_tag(".x"));
  CHECK(is_valid_digest(kDigest));
  CHECK_FALSE(is_valid_digest("sha256:" + std::string(63, 'a')));
  CHECK_FALSE(is_valid_digest(std::string(64, 'a')));
  CHECK(is_valid_domain("localhost"));
  CHECK(is_valid_domain("a.b-c.d:80"));
  CHECK(is_valid_domain("[fe80::1]:443"));
  CHECK_FALSE(is_valid_domain(""));
  CHECK_FALSE(is_valid_domain("a:"));
  CHECK_FALSE(is_valid_domain("a.:1"));
  CHECK(credentials_key("index.docker.io") == "https://index.docker.io/v1/");
  CHECK(credentials_key("docker.io") == "https://index.docker.io/v1/");
  CHECK(credentials_key("myreg:5000") == "myreg:5000");
  CHECK(registry_api_base("index.docker.io") == "https://registry-1.docker.io");
  CHECK(registry_api_base("localhost:5000") == "https://localhost:5000");
}

TEST_CASE("reference: random input never crashes and only throws dct::Error") {
  std::mt19937 rng(12345);
  const std::string alphabet = "abcAZ09:/@._-[]+ \x01\xff";
  const std::vector<std::string> seeds{"alpine", "myreg:5000/a/b:tag", "a/b@" + kDigest,
                                       "[::1]:5000/x", "index.docker.io/a"};
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int edits = static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          s.insert(s.begin() + static_cast<long>(pos), c);
          break;
        case 1:
          if (pos < s.size()) s.erase(pos, 1);
          break;
        default:
          if (pos < s.size()) s[pos] = c;
          break;
      }
    }
    try {
      Reference r = parse_reference(s);
      ++parsed;
      // Whatever parses must round-trip.
      CHECK(parse_reference(r.str()) == r);
    } catch (const dct::Error& e) {
      CHECK(e.code() == dct::ErrorCode::invalid_reference);
    }
  }
  CHECK(parsed > 100);
}
