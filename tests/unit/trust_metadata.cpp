#include <doctest/doctest.h>

#include "base/encoding.h"
#include "base/errors.h"
#include "error_code_of.h"
#include "trust/formats/metadata.h"
#include "trust/tuf/checks.h"
#include "trust_data.h"

using namespace dct::trust;
using dct::Error;
using dct::ErrorCode;
using dct::test::code_of;

TEST_CASE("delegation names are validated before they become paths") {
  CHECK(is_valid_delegation_name("targets/releases"));
  CHECK(is_valid_delegation_name("targets/a-b_c/d1"));
  for (const char* bad :
       {"targets", "targets/", "targets//x", "targets/../root", "targets/./x", "targets/Releases",
        "target/releases", "/targets/x", "targets/x/", "targets/x y", "targets/x\\y", "releases"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_delegation_name(bad));
  }
  CHECK_FALSE(is_valid_delegation_name("targets/" + std::string(250, 'a')));
  CHECK(parent_role("targets/releases") == "targets");
  CHECK(parent_role("targets/a/b") == "targets/a");
}

TEST_CASE("envelopes of the wrong shape are refused before verification") {
  auto parse = [](std::string raw) { return SignedFile::parse(std::move(raw), "timestamp"); };
  CHECK(code_of([&] { parse("not json"); }) == ErrorCode::malformed_metadata);
  CHECK(code_of([&] { parse("[]"); }) == ErrorCode::malformed_metadata);
  CHECK(code_of([&] { parse(R"({"signed":{}})"); }) == ErrorCode::malformed_metadata);
  CHECK(
      code_of([&] {
        parse(
            R"({"signed":{"_type":"Timestamp","version":0,"expires":"2030-01-01T00:00:00Z"},"signatures":[]})");
      }) == ErrorCode::malformed_metadata);
  CHECK(
      code_of([&] {
        parse(
            R"({"signed":{"_type":"Timestamp","version":1,"expires":"tomorrow"},"signatures":[]})");
      }) == ErrorCode::malformed_metadata);
  CHECK(
      code_of([&] {
        parse(
            R"({"signed":{"_type":"Timestamp","version":1,"expires":"2030-01-01T00:00:00Z"},"signatures":[{"keyid":"a","method":"ecdsa","sig":"!!"}]})");
      }) == ErrorCode::malformed_metadata);
  auto ok = parse(
      R"({"signed":{"_type":"Timestamp","version":3,"expires":"2030-01-01T00:00:00Z","meta":{}},"signatures":[{"keyid":"a","method":"ECDSA","sig":"AAAA"}]})");
  CHECK(ok.version == 3);
  CHECK(ok.signatures.at(0).method == "ecdsa");
  CHECK(code_of([&] { Root::parse(ok); }) == ErrorCode::wrong_type);
  CHECK(code_of([&] { Timestamp::parse(ok); }) == ErrorCode::malformed_metadata);
}

TEST_CASE("file meta: exact length and every known hash must match") {
  FileMeta m;
  m.length = 5;
  m.hashes["sha256"] = dct::sha256("hello");
  m.hashes["sha512"] = dct::sha512("hello");
  m.hashes["md7"] = "ignored";
  CHECK_NOTHROW(check_file_meta(m, "hello", "snapshot", "timestamp"));
  CHECK(code_of([&] { check_file_meta(m, "hellO", "snapshot", "timestamp"); }) ==
        ErrorCode::hash_mismatch);
  CHECK(code_of([&] { check_file_meta(m, "hello!", "snapshot", "timestamp"); }) ==
        ErrorCode::length_mismatch);
  m.hashes["sha512"] = dct::sha512("other");
  CHECK(code_of([&] { check_file_meta(m, "hello", "snapshot", "timestamp"); }) ==
        ErrorCode::hash_mismatch);
  FileMeta unknown;
  unknown.length = 5;
  unknown.hashes["md5"] = "x";
  CHECK(code_of([&] { check_file_meta(unknown, "hello", "snapshot", "timestamp"); }) ==
        ErrorCode::hash_mismatch);
}

TEST_CASE("file meta: a large file's two hashes, checked side by side, must both match") {
  const std::string big(3 * 1024 * 1024, 'x');  // above kParallelCheckSize
  std::string edited = big;
  edited[big.size() / 2] = 'y';
  FileMeta m;
  m.length = static_cast<long long>(big.size());
  m.hashes["sha256"] = dct::sha256(big);
  m.hashes["sha512"] = dct::sha512(big);
  CHECK_NOTHROW(check_file_meta(m, big, "targets", "snapshot"));
  CHECK(code_of([&] { check_file_meta(m, edited, "targets", "snapshot"); }) ==
        ErrorCode::hash_mismatch);
  FileMeta wrong512 = m;
  wrong512.hashes["sha512"] = dct::sha512(edited);
  CHECK(code_of([&] { check_file_meta(wrong512, big, "targets", "snapshot"); }) ==
        ErrorCode::hash_mismatch);
  FileMeta wrong256 = m;
  wrong256.hashes["sha256"] = dct::sha256(edited);
  CHECK(code_of([&] { check_file_meta(wrong256, big, "targets", "snapshot"); }) ==
        ErrorCode::hash_mismatch);
}

TEST_CASE("signatures are read as Go reads them: base64 with CR/LF, method in any case") {
  // A root notary published (self-signed by its root key), its signature re-wrapped with CRLF
  // line breaks and its method upper-cased: notary's JSON decoder still accepts both.
  auto doc = nlohmann::json::parse(dct::test::read_data("trust/targets-only/state2/root.json"));
  std::string sig = doc["signatures"][0]["sig"];
  std::string wrapped;
  for (size_t i = 0; i < sig.size(); i += 20) wrapped += sig.substr(i, 20) + "\r\n";
  doc["signatures"][0]["sig"] = wrapped;
  doc["signatures"][0]["method"] = "ECDSA";
  auto file = SignedFile::parse(doc.dump(), "root");
  REQUIRE(file.signatures.size() == 1);
  CHECK(file.signatures[0].method == "ecdsa");
  CHECK(file.signatures[0].signature == *dct::base64_decode(sig));
  Root root = Root::parse(file);
  CHECK(verify_signatures(root.file, root.keys, root.role("root"), "root").valid == 1);

  // Anything else that is not base64 is still refused.
  doc["signatures"][0]["sig"] = sig.substr(0, 10) + " " + sig.substr(10);
  CHECK(code_of([&] { SignedFile::parse(doc.dump(), "root"); }) == ErrorCode::malformed_metadata);
}
