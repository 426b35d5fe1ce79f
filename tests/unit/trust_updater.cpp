// The verifier against real repositories made by the notary CLI (tests/data/trust, see
// scripts/make_trust_fixtures.sh), served from memory so that attacks can be staged.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "base/errors.h"
#include "error_code_of.h"
#include "trust/tuf/resolve.h"
#include "trust/tuf/updater.h"
#include "trust_fixture_server.h"

using namespace dct;
using namespace dct::trust;
using namespace std::chrono_literals;
using test::code_of;
using test::FixtureServer;
using test::trust_fixture;

namespace {

std::string sha256_hex_of_file(const std::string& text) { return to_hex(sha256(text)); }

// Replaces a file wherever the server serves it (current name and checksum name).
void tamper(FixtureServer& server, const std::string& role, const std::string& bytes) {
  std::string original = server.get(role + ".json");
  server.put(role + ".json", bytes);
  server.put(role + "." + to_hex(sha256(original)) + ".json", bytes);
}

std::string flip_first_signature(const std::string& raw) {
  auto doc = nlohmann::json::parse(raw);
  auto sig = *base64_decode(doc["signatures"][0]["sig"].get<std::string>());
  sig[5] = static_cast<char>(sig[5] ^ 0x01);
  doc["signatures"][0]["sig"] = base64_encode(sig);
  return doc.dump();
}

struct Client {
  FixtureServer& server;
  MetadataCache& cache;
  FixedClock clock;
  TrustPinning pinning;
  Client(FixtureServer& s, MetadataCache& c, TimePoint now) : server(s), cache(c), clock(now) {}
  ResolvedTag resolve(const std::string& tag) {
    Updater u(server.gun, server, cache, clock, pinning);
    auto repo = u.update(resolve_update_options());
    return resolve_tag(u, repo, tag);
  }
};

}  // namespace

TEST_CASE("cold then warm resolve of a targets-only repository") {
  FixtureServer server(trust_fixture("targets-only", "state2"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 1h);
  auto v1 = c.resolve("v1");
  CHECK(v1.role == "targets");
  CHECK(v1.digest_hex == sha256_hex_of_file("hello\n"));
  CHECK(v1.size == 6);
  CHECK(cache.files.count("root"));
  CHECK(cache.files.count("targets"));
  // Cold: everything needed was asked for at once, by current name.
  CHECK(server.requested.at(0) == "root.json");

  server.requests = 0;
  server.requested.clear();
  auto v2 = c.resolve("v2");
  CHECK(v2.digest_hex == sha256_hex_of_file("hello again\n"));
  // Warm and unchanged: the timestamp is the only request.
  CHECK(server.requests == 1);
  CHECK(server.requested.at(0) == "timestamp.json");

  CHECK(code_of([&] { c.resolve("v3"); }) == ErrorCode::tag_not_found);
}

TEST_CASE("a newer publish is followed; an older one is a rollback") {
  FixtureServer server(trust_fixture("targets-only", "state1"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 1h);
  CHECK(code_of([&] { c.resolve("v2"); }) == ErrorCode::tag_not_found);
  server.load(trust_fixture("targets-only", "state2"));
  CHECK(c.resolve("v2").digest_hex == sha256_hex_of_file("hello again\n"));
  auto cached_targets = cache.files.at("targets");

  server.load(trust_fixture("targets-only", "state1"));
  CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::rollback);
  // The trusted cache is untouched by the refused data.
  CHECK(cache.files.at("targets") == cached_targets);
}

TEST_CASE("tampered and forged files are refused") {
  FixtureServer server(trust_fixture("targets-only", "state2"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 1h);

  SUBCASE("targets bytes changed") {
    std::string t = server.get("targets.json");
    t.replace(t.find("\"v1\""), 4, "\"v9\"");
    tamper(server, "targets", t);
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::hash_mismatch);
    CHECK_FALSE(cache.files.count("targets"));
  }
  SUBCASE("timestamp signature flipped") {
    server.put("timestamp.json", flip_first_signature(server.get("timestamp.json")));
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::signature_invalid);
    CHECK_FALSE(cache.files.count("timestamp"));
  }
  SUBCASE("timestamp without signatures") {
    auto doc = nlohmann::json::parse(server.get("timestamp.json"));
    doc["signatures"] = nlohmann::json::array();
    server.put("timestamp.json", doc.dump());
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::threshold_not_met);
  }
  SUBCASE("oversized timestamp") {
    server.put("timestamp.json", std::string(2u << 20, ' '));
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::oversized);
  }
  SUBCASE("not JSON") {
    server.put("timestamp.json", "{\"signed\":");
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::malformed_metadata);
  }
  SUBCASE("unreachable server") {
    server.offline = true;
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::network_unreachable);
  }
  SUBCASE("unknown repository") {
    server.remove("root.json");
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::repository_not_found);
  }
}

TEST_CASE("expired metadata is refused") {
  FixtureServer server(trust_fixture("targets-only", "state2"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 15 * 24h);  // timestamps last 14 days
  CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::expired);
}

TEST_CASE("the pull rule: releases before targets, other delegations never") {
  FixtureServer server(trust_fixture("delegated", "state1"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 1h);
  auto v1 = c.resolve("v1");
  CHECK(v1.role == "targets/releases");
  CHECK(v1.digest_hex == sha256_hex_of_file("hello again\n"));
  CHECK(c.resolve("v2").role == "targets/releases");
  try {
    c.resolve("only-alice");
    FAIL("expected a refusal");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::tag_not_trusted);
    CHECK(std::string(e.what()).find("targets/alice") != std::string::npos);
  }
  CHECK(code_of([&] { c.resolve("nope"); }) == ErrorCode::tag_not_found);
}

TEST_CASE("trust on first use checks the root certificates against the GUN") {
  FixtureServer server(trust_fixture("targets-only", "state2"));
  FixtureServer other(trust_fixture("delegated", "state1"));
  server.put("root.json", other.get("root.json"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 1h);
  CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::root_certificate_invalid);
  CHECK(cache.files.empty());
}

TEST_CASE("trust pinning from the notary configuration") {
  FixtureServer server(trust_fixture("targets-only", "state2"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 1h);
  auto root = nlohmann::json::parse(server.get("root.json"));
  std::string root_key_id = root["signed"]["roles"]["root"]["keyids"][0];

  SUBCASE("a pinned certificate that matches") {
    c.pinning.certs[server.gun] = {root_key_id};
    CHECK(c.resolve("v1").role == "targets");
  }
  SUBCASE("a pin by prefix that does not match") {
    c.pinning.certs["localhost:5000/*"] = {std::string(64, 'a')};
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::pinning_failed);
  }
  SUBCASE("TOFU disabled and nothing pinned") {
    c.pinning.disable_tofu = true;
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::pinning_failed);
  }
}

TEST_CASE("root rotation is followed link by link") {
  FixtureServer server(trust_fixture("rotated", "state1"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 1h);
  CHECK(c.resolve("v1").role == "targets");
  auto old_root = cache.files.at("root");

  server.load(trust_fixture("rotated", "state2"));
  SUBCASE("every version present") {
    CHECK(c.resolve("v1").role == "targets");
    CHECK(cache.files.at("root") != old_root);
    CHECK(cache.files.at("root") == server.get("root.json"));
  }
  SUBCASE("a missing link") {
    server.remove("2.root.json");
    CHECK(code_of([&] { c.resolve("v1"); }) != ErrorCode::internal);
    CHECK(cache.files.at("root") == old_root);
  }
  SUBCASE("a new root signed only by new keys") {
    // Serve the newest root as every intermediate version too: the first link then lacks
    // the old root key's signature.
    auto newest = server.get("root.json");
    auto doc = nlohmann::json::parse(newest);
    long long v = doc["signed"]["version"];
    for (long long i = 2; i < v; ++i) server.put(std::to_string(i) + ".root.json", newest);
    CHECK(code_of([&] { c.resolve("v1"); }) != ErrorCode::internal);
    CHECK(cache.files.at("root") == old_root);
  }
}

TEST_CASE("damaged cached data is discarded and fetched again, never trusted") {
  FixtureServer server(trust_fixture("targets-only", "state2"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 1h);
  REQUIRE(c.resolve("v1").role == "targets");

  SUBCASE("targets") {
    cache.files["targets"] = "{\"signed\": garbage";
    CHECK(c.resolve("v2").digest_hex == sha256_hex_of_file("hello again\n"));
    CHECK(cache.files.at("targets") == server.get("targets.json"));
  }
  SUBCASE("snapshot replaced by another valid-looking file") {
    // A timestamp with a high version in the snapshot's place must not pass for a rollback.
    auto ts = nlohmann::json::parse(server.get("timestamp.json"));
    ts["signed"]["version"] = 999;
    cache.files["snapshot"] = ts.dump();
    CHECK(c.resolve("v1").role == "targets");
    CHECK(cache.files.at("snapshot") == server.get("snapshot.json"));
  }
  SUBCASE("root with a broken signature") {
    cache.files["root"] = flip_first_signature(cache.files.at("root"));
    Updater u(server.gun, server, cache, c.clock, c.pinning);
    auto repo = u.update(resolve_update_options());
    CHECK(repo.first_use);
    CHECK(cache.files.at("root") == server.get("root.json"));
    REQUIRE_FALSE(repo.warnings.empty());
    CHECK(repo.warnings.front().find("failed verification") != std::string::npos);
  }
}

TEST_CASE("trust pinning by CA") {
  FixtureServer server(trust_fixture("targets-only", "state2"));
  MemoryMetadataCache cache;
  Client c(server, cache, server.captured_at + 1h);
  auto root = nlohmann::json::parse(server.get("root.json"));
  std::string root_key_id = root["signed"]["roles"]["root"]["keyids"][0];
  auto cert_pem =
      *base64_decode(root["signed"]["keys"][root_key_id]["keyval"]["public"].get<std::string>());

  SUBCASE("the root certificate itself as the pinned CA") {
    c.pinning.ca["localhost:5000/"] = cert_pem;
    CHECK(c.resolve("v1").role == "targets");
  }
  SUBCASE("a CA that did not issue the root certificate") {
    c.pinning.ca["localhost:5000/"] =
        test::read_all(std::filesystem::path(DCT_TEST_DATA_DIR) / "keys" / "p_256.crt");
    CHECK(code_of([&] { c.resolve("v1"); }) == ErrorCode::pinning_failed);
    CHECK(cache.files.empty());
  }
  SUBCASE("a pin for another prefix does not apply") {
    c.pinning.ca["example.com/"] = "not even a certificate";
    CHECK(c.resolve("v1").role == "targets");
  }
}
