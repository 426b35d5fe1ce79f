#include <doctest/doctest.h>

#include "base/encoding.h"

using namespace dct;

TEST_CASE("base64 is Go's padded standard encoding, decoded strictly") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_decode("Zm9vYg==") == std::optional<std::string>("foob"));
  CHECK_FALSE(base64_decode("Zm9vYg"));    // unpadded
  CHECK_FALSE(base64_decode("Zm9vYh=="));  // non-zero trailing bits
  CHECK_FALSE(base64_decode("Zm=vYg=="));  // padding in the middle
  CHECK_FALSE(base64_decode("Zm9v\nYg=="));
  CHECK_FALSE(base64_decode("Zm9-"));  // URL alphabet
}

TEST_CASE("hex and digests") {
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha512("abc")).substr(0, 16) == "ddaf35a193617aba");
  CHECK(from_hex("00ff10") == std::optional<std::string>(std::string("\x00\xff\x10", 3)));
  CHECK_FALSE(from_hex("0"));
  CHECK_FALSE(from_hex("zz"));
}
