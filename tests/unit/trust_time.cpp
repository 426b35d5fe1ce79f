#include <doctest/doctest.h>

#include "trust/formats/time.h"

using namespace dct::trust;

TEST_CASE("RFC 3339 timestamps as notary writes them") {
  auto utc = parse_rfc3339("2026-01-02T03:04:05Z");
  REQUIRE(utc);
  CHECK(format_rfc3339_nano(*utc) == "2026-01-02T03:04:05Z");

  auto offset = parse_rfc3339("2116-07-03T17:56:36.027379879-05:00");
  REQUIRE(offset);
  CHECK(format_rfc3339_nano(*offset) == "2116-07-03T22:56:36.027379879Z");

  auto trailing = parse_rfc3339("2030-12-31T23:59:59.5+01:30");
  REQUIRE(trailing);
  CHECK(format_rfc3339_nano(*trailing) == "2030-12-31T22:29:59.5Z");
}

TEST_CASE("invalid timestamps are refused") {
  for (const char* bad :
       {"", "2026-01-02", "2026-01-02T03:04:05", "2026-13-02T03:04:05Z", "2026-02-30T03:04:05Z",
        "2026-01-02T24:00:00Z", "2026-01-02T03:04:05.Z", "2026-01-02T03:04:05+0100",
        "2026-01-02T03:04:05Zjunk", "2026-01-02 03:04:05Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_rfc3339(bad));
  }
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2023-02-29T00:00:00Z"));
}

TEST_CASE("ordering survives zone offsets") {
  auto a = parse_rfc3339("2026-01-01T00:00:00+01:00");
  auto b = parse_rfc3339("2025-12-31T23:30:00Z");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a < *b);
}
