// Recovery from a fast-forward attack: a timestamp version pushed far ahead with the old
// timestamp key stops counting once the root rotates the timestamp keys.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "error_code_of.h"
#include "trust/certificate.h"
#include "trust/encoding.h"
#include "trust/metadata.h"
#include "trust/resolve.h"
#include "trust/signer.h"
#include "trust/updater.h"
#include "trust_fixture_server.h"

using namespace dct;
using namespace dct::trust;
using nlohmann::json;

namespace {

const std::string kGun = "example.com/recovery";

std::string expiry(TimePoint now) { return format_rfc3339_nano(now + std::chrono::hours(24)); }

json file_meta(const std::string& bytes) {
  FileMeta m;
  m.length = static_cast<long long>(bytes.size());
  m.hashes["sha256"] = sha256(bytes);
  return m.to_json();
}

// A whole repository, signed with keys made here; each role's key can be replaced.
struct MiniRepo {
  TimePoint now = std::chrono::system_clock::now();
  PrivateKey root_key = PrivateKey::generate();
  PublicKey root_cert = root_certificate_key(root_key, kGun, now - std::chrono::hours(1));
  std::map<std::string, PrivateKey> keys;
  long long root_version = 1, timestamp_version = 1;
  std::map<std::string, std::string> files;

  MiniRepo() {
    for (const char* role : {"targets", "snapshot", "timestamp"})
      keys.emplace(role, PrivateKey::generate());
  }

  void publish() {
    json root = {{"_type", "Root"},         {"consistent_snapshot", false},
                 {"expires", expiry(now)},  {"keys", json::object()},
                 {"roles", json::object()}, {"version", root_version}};
    root["keys"][root_cert.id()] = root_cert.to_json();
    root["roles"]["root"] = {{"keyids", {root_cert.id()}}, {"threshold", 1}};
    for (const auto& [role, key] : keys) {
      root["keys"][key.id()] = key.public_key().to_json();
      root["roles"][role] = {{"keyids", {key.id()}}, {"threshold", 1}};
    }
    files["root"] = sign_metadata(root, {{root_cert.id(), &root_key}});
    json targets = {{"_type", "Targets"},
                    {"delegations", {{"keys", json::object()}, {"roles", json::array()}}},
                    {"expires", expiry(now)},
                    {"targets", json::object()},
                    {"version", 1}};
    targets["targets"]["v1"] = file_meta("manifest bytes");
    files["targets"] = sign(targets, "targets");
    json snapshot = {
        {"_type", "Snapshot"}, {"expires", expiry(now)}, {"meta", json::object()}, {"version", 1}};
    snapshot["meta"]["root"] = file_meta(files["root"]);
    snapshot["meta"]["targets"] = file_meta(files["targets"]);
    files["snapshot"] = sign(snapshot, "snapshot");
    json timestamp = {{"_type", "Timestamp"},
                      {"expires", expiry(now)},
                      {"meta", json::object()},
                      {"version", timestamp_version}};
    timestamp["meta"]["snapshot"] = file_meta(files["snapshot"]);
    files["timestamp"] = sign(timestamp, "timestamp");
  }

  std::string sign(const json& s, const std::string& role) {
    const PrivateKey& k = keys.at(role);
    return sign_metadata(s, {{k.id(), &k}});
  }

  void serve(test::FixtureServer& server) {
    for (const auto& [role, bytes] : files) server.put(role + ".json", bytes);
    server.put(std::to_string(root_version) + ".root.json", files.at("root"));
  }
};

}  // namespace

TEST_CASE("a fast-forwarded timestamp is refused until the root rotates the timestamp key") {
  test::FixtureServer server(test::trust_fixture("targets-only", "state1"));
  server.gun = kGun;
  MiniRepo repo;
  MemoryMetadataCache cache;
  FixedClock clock(repo.now);
  auto resolve = [&] {
    Updater u(kGun, server, cache, clock);
    auto r = u.update(resolve_update_options());
    return resolve_tag(u, r, "v1");
  };

  // The compromised timestamp key signs a version far ahead; the client accepts it.
  repo.timestamp_version = 1000;
  repo.publish();
  repo.serve(server);
  CHECK(resolve().role == "targets");

  // Back to the honest version with the same key: a rollback.
  repo.timestamp_version = 2;
  repo.publish();
  repo.serve(server);
  CHECK(test::code_of(resolve) == ErrorCode::rollback);
  CHECK(SignedFile::parse(cache.files.at("timestamp"), "timestamp").version == 1000);

  // The server rotates the timestamp key in a new root: the old version history is dropped.
  repo.keys.erase("timestamp");
  repo.keys.emplace("timestamp", PrivateKey::generate());
  repo.root_version = 2;
  repo.publish();
  repo.serve(server);
  CHECK(resolve().role == "targets");
  CHECK(SignedFile::parse(cache.files.at("timestamp"), "timestamp").version == 2);
}
