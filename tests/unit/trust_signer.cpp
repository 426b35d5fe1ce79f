// Writing signed metadata (trust/signer.h): the exact envelope bytes notary writes, signatures
// that our verifier (and so Go's) accepts for every key type, and files that are fixed points of
// Go's parse -> canonical re-encode (protocol notes 1.1, 1.7, 2.3).
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/errors.h"
#include "error_code_of.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/private_key.h"
#include "trust/crypto/signer.h"
#include "trust/formats/canonical_json.h"
#include "trust/formats/metadata.h"
#include "trust/formats/time.h"
#include "trust/publish/repo_editor.h"
#include "trust/tuf/checks.h"
#include "trust_data.h"

using namespace dct;
using namespace dct::trust;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The envelope as Go's encoder would write it for this parsed file: the "signed" value
// re-encoded canonically with the HTML escapes, then the signatures as parsed, in order.
std::string reencoded(const SignedFile& f) {
  std::string out =
      "{\"signed\":" + escape_for_envelope(canonical_json(f.signed_json)) + ",\"signatures\":[";
  for (size_t i = 0; i < f.signatures.size(); ++i) {
    if (i) out += ',';
    const auto& s = f.signatures[i];
    out += "{\"keyid\":\"" + s.keyid + "\",\"method\":\"" + s.method + "\",\"sig\":\"" +
           base64_encode(s.signature) + "\"}";
  }
  return out + "]}";
}

// The bytes between {"signed": and ,"signatures":[ in an envelope we wrote.
std::string signed_text(const std::string& raw) {
  const std::string head = "{\"signed\":";
  REQUIRE(raw.rfind(head, 0) == 0);
  const auto end = raw.rfind(",\"signatures\":[");
  REQUIRE(end != std::string::npos);
  return raw.substr(head.size(), end - head.size());
}

std::map<std::string, PublicKey> keys_of(const std::vector<const PrivateKey*>& keys) {
  std::map<std::string, PublicKey> out;
  for (const auto* k : keys) out.emplace(k->id(), k->public_key());
  return out;
}

RoleKeys role_of(const std::vector<const PrivateKey*>& keys, int threshold = 1) {
  RoleKeys r;
  for (const auto* k : keys) r.keyids.push_back(k->id());
  r.threshold = threshold;
  return r;
}

std::string flip_byte(std::string s, size_t pos) {
  s[pos] = static_cast<char>(s[pos] ^ 0x01);
  return s;
}

PrivateKey rsa_key() {
  return read_key_file(dct::test::read_data("keys/files/legacy-rsa-aes256.pem"), "key-pass");
}

// A "signed" object with everything Go's encoder treats specially in strings.
json tricky_targets() {
  json meta = {{"hashes", {{"sha256", base64_encode(sha256("x"))}}}, {"length", 1}};
  json custom_meta = meta;
  custom_meta["custom"] = {{"z", 1}, {"a", "<b>&c"}, {"m", {{"y", true}, {"x", nullptr}}}};
  return {{"_type", "Targets"},
          {"delegations", {{"keys", json::object()}, {"roles", json::array()}}},
          {"expires", "2030-01-02T03:04:05.123456789Z"},
          {"targets",
           {{"plain", meta},
            {"a<b>&c", custom_meta},
            {"line\u2028para\u2029end", meta},
            {"caf\u00e9 \"quoted\" back\\slash", meta}}},
          {"version", 7}};
}

}  // namespace

TEST_CASE("sign_metadata writes notary's envelope: no whitespace, canonical signed part") {
  const PrivateKey key = PrivateKey::generate("ecdsa");
  const json signed_json = tricky_targets();
  const std::string canonical = canonical_json(signed_json);
  const std::string raw = sign_metadata(signed_json, {{key.id(), &key}});

  CHECK(raw.rfind("{\"signed\":{\"_type\":\"Targets\",\"delegations\":", 0) == 0);
  CHECK(raw.back() == '}');
  CHECK(raw.find('\n') == std::string::npos);
  CHECK(raw.find("\":\"") != std::string::npos);
  CHECK(raw.find(": ") == std::string::npos);
  CHECK(raw.find(", ") == std::string::npos);

  // The "signed" text is the canonical bytes with <, >, & and U+2028/9 escaped, nothing else.
  const std::string text = signed_text(raw);
  CHECK(text == escape_for_envelope(canonical));
  CHECK(text.find('<') == std::string::npos);
  CHECK(text.find('>') == std::string::npos);
  CHECK(text.find('&') == std::string::npos);
  CHECK(text.find("a\\u003cb\\u003e\\u0026c") != std::string::npos);
  CHECK(text.find("line\\u2028para\\u2029end") != std::string::npos);
  CHECK(text.find("caf\u00e9 \\\"quoted\\\" back\\\\slash") != std::string::npos);  // raw UTF-8
  // Canonical: members sorted, custom sorted too, integers plain.
  CHECK(canonical.find("\"custom\":{\"a\":\"<b>&c\",\"m\":{\"x\":null,\"y\":true},\"z\":1}") !=
        std::string::npos);
  CHECK(canonical.find("\"version\":7}") != std::string::npos);

  // Exactly one signature, members in notary's order, nothing after the list.
  const SignedFile f = SignedFile::parse(raw, "targets");
  REQUIRE(f.signatures.size() == 1);
  CHECK(f.signatures[0].keyid == key.id());
  CHECK(f.signatures[0].method == "ecdsa");
  CHECK(f.signatures[0].signature.size() == 64);
  CHECK(raw == "{\"signed\":" + text + ",\"signatures\":[{\"keyid\":\"" + key.id() +
                   "\",\"method\":\"ecdsa\",\"sig\":\"" + base64_encode(f.signatures[0].signature) +
                   "\"}]}");
  // What the verifier re-encodes is what was signed.
  CHECK(f.canonical == canonical);
  CHECK(f.version == 7);
}

TEST_CASE("sign_metadata signatures verify for ecdsa, ed25519 and rsa keys") {
  const json signed_json = tricky_targets();
  struct Case {
    const char* name;
    PrivateKey key;
    const char* method;
    size_t sig_size;
  };
  Case cases[] = {{"ecdsa", PrivateKey::generate("ecdsa"), "ecdsa", 64},
                  {"ed25519", PrivateKey::generate("ed25519"), "eddsa", 64},
                  {"rsa", rsa_key(), "rsapss", 0}};
  for (auto& c : cases) {
    CAPTURE(c.name);
    const std::string raw = sign_metadata(signed_json, {{c.key.id(), &c.key}});
    const SignedFile f = SignedFile::parse(raw, "targets");
    REQUIRE(f.signatures.size() == 1);
    CHECK(f.signatures[0].method == c.method);
    if (c.sig_size) CHECK(f.signatures[0].signature.size() == c.sig_size);
    CHECK(verify_signature(c.key.public_key(), c.method, canonical_json(signed_json),
                           f.signatures[0].signature));
    CHECK(verify_signatures(f, keys_of({&c.key}), role_of({&c.key}), "targets").valid == 1);
    CHECK(reencoded(f) == raw);

    // A flipped byte in the signed part (a target's length digit) breaks the signature.
    const auto at = raw.find("\"length\":1");
    REQUIRE(at != std::string::npos);
    std::string tampered = raw;
    tampered[at + 9] = '2';
    const SignedFile bad = SignedFile::parse(tampered, "targets");
    CHECK(dct::test::code_of([&] {
            verify_signatures(bad, keys_of({&c.key}), role_of({&c.key}), "targets");
          }) == ErrorCode::signature_invalid);

    // A flipped bit in the signature itself.
    SignedFile bad_sig = f;
    bad_sig.signatures[0].signature = flip_byte(bad_sig.signatures[0].signature, 5);
    CHECK(dct::test::code_of([&] {
            verify_signatures(bad_sig, keys_of({&c.key}), role_of({&c.key}), "targets");
          }) == ErrorCode::signature_invalid);
  }
}

TEST_CASE("sign_metadata with several keys writes one signature per key, in order") {
  const PrivateKey a = PrivateKey::generate("ed25519");
  const PrivateKey b = PrivateKey::generate("ecdsa");
  const PrivateKey c = rsa_key();
  const json signed_json = tricky_targets();

  for (const std::vector<const PrivateKey*>& order :
       {std::vector<const PrivateKey*>{&a, &b, &c}, std::vector<const PrivateKey*>{&c, &a, &b}}) {
    std::vector<SigningKey> signing;
    for (const auto* k : order) signing.push_back({k->id(), k});
    const std::string raw = sign_metadata(signed_json, signing);
    const SignedFile f = SignedFile::parse(raw, "targets");
    REQUIRE(f.signatures.size() == 3);
    for (size_t i = 0; i < 3; ++i) {
      CAPTURE(i);
      CHECK(f.signatures[i].keyid == order[i]->id());
      CHECK(verify_signature(order[i]->public_key(), f.signatures[i].method, f.canonical,
                             f.signatures[i].signature));
    }
    CHECK(verify_signatures(f, keys_of(order), role_of(order, 3), "targets").valid == 3);
    CHECK(reencoded(f) == raw);
  }

  // The ID written is the one given (e.g. a root certificate's ID), not the key's own.
  const PublicKey cert =
      root_certificate_key(b, "example.com/app", std::chrono::system_clock::now());
  const std::string raw = sign_metadata(signed_json, {{cert.id(), &b}});
  const SignedFile f = SignedFile::parse(raw, "root");
  REQUIRE(f.signatures.size() == 1);
  CHECK(f.signatures[0].keyid == cert.id());
  CHECK(cert.id() != b.id());
  CHECK(verify_signatures(f, {{cert.id(), cert}}, RoleKeys{{cert.id()}, 1}, "root").valid == 1);
}

TEST_CASE("sign_metadata refuses what notary cannot write") {
  const PrivateKey key = PrivateKey::generate("ecdsa");
  CHECK(dct::test::code_of([&] { sign_metadata(tricky_targets(), {}); }) == ErrorCode::internal);
  json with_control = tricky_targets();
  with_control["targets"]["tab\there"] = with_control["targets"]["plain"];
  CHECK(dct::test::code_of([&] {
          sign_metadata(with_control, {{key.id(), &key}});
        }) == ErrorCode::invalid_argument);
  json with_float = tricky_targets();
  with_float["version"] = 1.5;
  CHECK(dct::test::code_of([&] {
          sign_metadata(with_float, {{key.id(), &key}});
        }) == ErrorCode::malformed_metadata);
}

namespace {

struct MapKeys final : KeyProvider {
  std::map<std::string, const PrivateKey*> keys;
  void add(const PrivateKey& k) { keys[k.id()] = &k; }
  bool has(const std::string& id) override { return keys.count(id) > 0; }
  const PrivateKey& get(const std::string& id, const std::string&) override {
    auto it = keys.find(id);
    if (it == keys.end()) throw Error(ErrorCode::no_signing_key, "no key " + id);
    return *it->second;
  }
};

Change change(std::string action, std::string role, std::string type, std::string path,
              std::optional<json> data) {
  Change c;
  c.action = std::move(action);
  c.role = std::move(role);
  c.type = std::move(type);
  c.path = std::move(path);
  if (data) c.data = data->dump();
  c.file = "00000000000000000001_test.change";
  return c;
}

// Parse, re-encode canonically, compare: the bytes a Go client would recompute for the file.
void check_fixed_point(const std::string& raw, const std::string& role) {
  CAPTURE(role);
  const SignedFile f = SignedFile::parse(raw, role);
  CHECK(reencoded(f) == raw);
  CHECK(signed_text(raw) == escape_for_envelope(f.canonical));
  // Its expiry is already in Go's RFC3339Nano form (re-encoding a time.Time normalizes it).
  CHECK(format_rfc3339_nano(f.expires) == f.expires_text);
  // Struct re-encoding drops unknown members: everything written is a known member.
  const json& s = f.signed_json;
  std::set<std::string> members;
  for (const auto& [k, v] : s.items()) members.insert(k);
  if (f.type == "Root")
    CHECK(members == std::set<std::string>{"_type", "consistent_snapshot", "expires", "keys",
                                           "roles", "version"});
  if (f.type == "Targets")
    CHECK(members ==
          std::set<std::string>{"_type", "delegations", "expires", "targets", "version"});
  if (f.type == "Snapshot")
    CHECK(members == std::set<std::string>{"_type", "expires", "meta", "version"});
}

}  // namespace

TEST_CASE("files we write are fixed points of Go's parse and canonical re-encode") {
  // Fractional seconds with trailing zeros: the expiry text must drop them.
  const TimePoint now = *parse_rfc3339("2024-05-06T07:08:09.120000000Z");
  const PrivateKey root = PrivateKey::generate("ecdsa");
  const PrivateKey targets = PrivateKey::generate("ecdsa");
  const PrivateKey snapshot = PrivateKey::generate("ecdsa");
  const PrivateKey timestamp = PrivateKey::generate("ecdsa");
  const PrivateKey releases = PrivateKey::generate("ecdsa");
  const PrivateKey qa = PrivateKey::generate("ed25519");
  InitKeys init;
  init.root = &root;
  init.root_certificate = root_certificate_key(root, "example.com/<app>&co", now);
  init.targets = targets.public_key();
  init.snapshot = snapshot.public_key();
  init.timestamp = timestamp.public_key();
  std::vector<RepoFile> created;
  RepoEditor editor =
      RepoEditor::initialize("example.com/app", init, targets, &snapshot, now, &created);
  REQUIRE(created.size() == 3);
  for (const auto& f : created) check_fixed_point(f.bytes, f.role);

  MapKeys keys;
  for (const auto* k : {&root, &targets, &snapshot, &releases}) keys.add(*k);
  const json release_cert_key =
      certificate_key(releases, create_certificate(releases, "releases", now, now + 24h * 365))
          .to_json();
  editor.apply(change("create", "targets/releases", "delegation", "",
                      json{{"threshold", 1}, {"add_keys", json::array({release_cert_key})}}),
               keys);
  editor.apply(
      change("create", "targets/releases", "delegation", "", json{{"add_paths", {"", "a<b"}}}),
      keys);
  editor.apply(
      change("create", "targets/qa", "delegation", "",
             json{{"threshold", 1}, {"add_keys", json::array({qa.public_key().to_json()})}}),
      keys);
  const json meta = {{"length", 12}, {"hashes", {{"sha256", base64_encode(sha256("content"))}}}};
  json with_custom = meta;
  with_custom["custom"] = {{"z", {1, 2}}, {"a", "x>y"}};
  editor.apply(change("create", "targets", "target", "tag<1>&2", meta), keys);
  editor.apply(change("create", "targets/releases", "target", "a<b", with_custom), keys);

  const auto files = editor.sign(keys, now + std::chrono::nanoseconds(1));
  std::set<std::string> roles;
  for (const auto& f : files) {
    roles.insert(f.role);
    check_fixed_point(f.bytes, f.role);
  }
  CHECK(roles == std::set<std::string>{"root", "targets", "targets/releases", "snapshot"});
  for (const auto& f : files) {
    if (f.role != "targets") continue;
    const Targets t = Targets::parse(SignedFile::parse(f.bytes, "targets"), "targets");
    CHECK(t.delegations.size() == 2);
    CHECK(t.delegation_keys.size() == 2);
    CHECK(t.targets.count("tag<1>&2") == 1);
    CHECK(t.file.expires_text == "2027-05-06T07:08:09.120000001Z");
  }
}
