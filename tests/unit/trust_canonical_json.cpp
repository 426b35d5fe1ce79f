// Canonical JSON (docker/go canonical encoder) and the envelope escaping, against constructed
// vectors and byte for byte against files the real notary client published.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/errors.h"
#include "error_code_of.h"
#include "trust/formats/canonical_json.h"
#include "trust_data.h"

using dct::ErrorCode;
using dct::trust::canonical_json;
using dct::trust::escape_for_envelope;
using nlohmann::json;
using namespace std::string_literals;

using dct::test::code_of;

TEST_CASE("canonical JSON sorts members bytewise and drops all whitespace") {
  CHECK(canonical_json(json::parse(R"( { "b" : 1 , "a" : [ true , false , null ] ,
                                         "c" : { "z" : "y" , "Z" : "x" , "" : {} } } )")) ==
        R"({"a":[true,false,null],"b":1,"c":{"":{},"Z":"x","z":"y"}})");
  // Non-ASCII keys sort by their UTF-8 bytes, after every ASCII key.
  CHECK(canonical_json(json::parse(R"({"é":1,"z":2,"a":3,"~":4})")) ==
        "{\"a\":3,\"z\":2,\"~\":4,\"\xc3\xa9\":1}");
  CHECK(canonical_json(json::parse(R"({"ab":1,"a":2,"a\u0000":3})")) ==
        "{\"a\":2,\"a\0\":3,\"ab\":1}"s);
  CHECK(canonical_json(json::array()) == "[]");
  CHECK(canonical_json(json::object()) == "{}");
  CHECK(canonical_json(json::parse(R"([[],{},[{}]])")) == "[[],{},[{}]]");
}

TEST_CASE("canonical JSON escapes only quote and backslash") {
  CHECK(canonical_json(json("a\"b\\c")) == R"("a\"b\\c")");
  // Control characters, HTML characters, U+2028/9 and all non-ASCII bytes are written raw.
  const std::string raw =
      "\x00\x01\t\n\r\x1f"s + "<>&/\x7f" + "\xc3\xa9\xe2\x80\xa8\xe2\x80\xa9\xf0\x9f\x90\xb3";
  CHECK(canonical_json(json(raw)) == "\"" + raw + "\"");
  // Even bytes that are not UTF-8, when a value holds them.
  CHECK(canonical_json(json(std::string("\xff\xfe"))) == "\"\xff\xfe\"");
  // Escapes in the input are decoded first: what is signed is the decoded text.
  CHECK(canonical_json(json::parse(R"("\u003c\n\u00e9\/")")) == "\"<\n\xc3\xa9/\"");
}

TEST_CASE("canonical JSON numbers are integers") {
  CHECK(canonical_json(json::parse("[0,-1,42,1.0,-0.0,1e3,2.5e1]")) == "[0,-1,42,1,0,1000,25]");
  CHECK(canonical_json(json(-9007199254740992LL)) == "-9007199254740992");
  CHECK(canonical_json(json::parse("9007199254740992")) == "9007199254740992");
  // Go decodes numbers into float64 before re-encoding, so big integers round like doubles.
  CHECK(canonical_json(json::parse("9007199254740993")) == "9007199254740992");
  CHECK(canonical_json(json::parse("12345678901234567")) == "12345678901234568");
  CHECK(canonical_json(json(std::numeric_limits<std::int64_t>::min())) == "-9223372036854775808");
  for (const char* bad : {"1.5", "-0.5", "1e-1", "123456.000001"}) {
    CAPTURE(bad);
    CHECK(code_of([&] { canonical_json(json::parse(bad)); }) == ErrorCode::malformed_metadata);
  }
  // Out of int64 range (Go's conversion would be undefined) and non-finite values.
  CHECK(code_of([] { canonical_json(json::parse("9223372036854775807")); }) ==
        ErrorCode::malformed_metadata);
  CHECK(code_of([] { canonical_json(json::parse("18446744073709551615")); }) ==
        ErrorCode::malformed_metadata);
  CHECK(code_of([] { canonical_json(json::parse("1e300")); }) == ErrorCode::malformed_metadata);
  CHECK(code_of([] { canonical_json(json(std::nan(""))); }) == ErrorCode::malformed_metadata);
  CHECK(code_of([] { canonical_json(json(HUGE_VAL)); }) == ErrorCode::malformed_metadata);
}

TEST_CASE("envelope escaping as Go's encoder embeds a raw message") {
  CHECK(escape_for_envelope("<a&b>") == "\\u003ca\\u0026b\\u003e");
  CHECK(escape_for_envelope("x\xe2\x80\xa8y\xe2\x80\xa9z") == "x\\u2028y\\u2029z");
  // Neighbouring code points and cut sequences are left alone.
  CHECK(escape_for_envelope("\xe2\x80\xaa\xe2\x80\xa7\xc3\xa9") ==
        "\xe2\x80\xaa\xe2\x80\xa7\xc3\xa9");
  CHECK(escape_for_envelope("ab\xe2\x80") == "ab\xe2\x80");
  CHECK(escape_for_envelope(R"({"a":"\"\\"})") == R"({"a":"\"\\"})");
  // A raw control character would make the file invalid JSON; Go refuses to write it.
  CHECK(code_of([] { escape_for_envelope("{\"a\":\"x\ny\"}"); }) == ErrorCode::invalid_argument);
  CHECK(code_of([] { escape_for_envelope("\"\0\""s); }) == ErrorCode::invalid_argument);
}

TEST_CASE("real notary files are the envelope around the canonical signed bytes") {
  using dct::test::read_data;
  for (const char* repo : dct::test::kNotaryRepos) {
    for (const char* role : {"root.json", "1.root.json", "targets.json", "snapshot.json",
                             "timestamp.json", "targets/releases.json"}) {
      const auto path = std::filesystem::path(repo) / role;
      if (!std::filesystem::exists(dct::test::data_path(path))) continue;
      CAPTURE(path);
      const std::string file = read_data(path);
      const json doc = json::parse(file);
      // {"signed":S,"signatures":[{"keyid":..,"method":..,"sig":..},..]}, member order fixed.
      std::string rebuilt =
          "{\"signed\":" + escape_for_envelope(canonical_json(doc["signed"])) + ",\"signatures\":[";
      for (const auto& sig : doc["signatures"]) {
        if (rebuilt.back() == '}') rebuilt += ',';
        rebuilt += R"({"keyid":")" + sig["keyid"].get<std::string>() + R"(","method":")" +
                   sig["method"].get<std::string>() + R"(","sig":")" +
                   sig["sig"].get<std::string>() + "\"}";
      }
      rebuilt += "]}";
      CHECK(rebuilt == file);
    }
  }
  // The target name with '<', '>', '&', U+2028 and 'é' is escaped in the file, raw when signed.
  const std::string targets = read_data("notary-repo-ecdsa/targets.json");
  CHECK(targets.find("\"tag\\u003c1\\u003e\\u0026\\u2028\xc3\xa9\"") != std::string::npos);
  CHECK(canonical_json(json::parse(targets)["signed"]).find("\"tag<1>&\xe2\x80\xa8\xc3\xa9\"") !=
        std::string::npos);
}
