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

TEST_CASE("base64 round-trips every byte value and lengths around the 3-byte groups") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 255u, 256u}) {
    const std::string bytes = all.substr(0, n);
    const std::string text = base64_encode(bytes);
    CAPTURE(n);
    CHECK(text.size() == (n + 2) / 3 * 4);
    CHECK(text.find('\0') == std::string::npos);
    CHECK(base64_decode(text) == std::optional<std::string>(bytes));
  }
  CHECK(base64_encode(std::string("\xff\xfe\xfd", 3)) == "//79");
}

TEST_CASE("hex and digests") {
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha512("abc")).substr(0, 16) == "ddaf35a193617aba");
  CHECK(from_hex("00ff10") == std::optional<std::string>(std::string("\x00\xff\x10", 3)));
  CHECK_FALSE(from_hex("0"));
  CHECK_FALSE(from_hex("zz"));
}
