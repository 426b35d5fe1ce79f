#pragma once
// TEST ONLY. A small repository signed with keys made by the test: root, targets, snapshot,
// timestamp and, when asked for, a targets/releases delegation. Every publish() rebuilds the
// files from the model, so a test can stage what a server that holds the snapshot and
// timestamp keys could serve (a role hidden from the snapshot, a delegation signed by a
// stranger) next to what the owner really did (a delegation removed, left without keys).
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/signer.h"
#include "trust/formats/metadata.h"
#include "trust/formats/time.h"
#include "trust_fixture_server.h"

namespace dct::test {

class MiniRepo {
 public:
  enum class Releases {
    absent,     // targets delegates no targets/releases
    keyless,    // delegated without keys (what removing its last key leaves)
    declared,   // delegated with a key, never signed into (no file, not in the snapshot)
    published,  // delegated, signed and listed in the snapshot
  };

  std::string gun = "example.com/app";
  trust::TimePoint now = std::chrono::system_clock::now();
  trust::PrivateKey root_key = trust::PrivateKey::generate();
  trust::PublicKey root_cert =
      trust::root_certificate_key(root_key, gun, now - std::chrono::hours(1));
  std::map<std::string, trust::PrivateKey> keys;  // targets, snapshot, timestamp, releases

  long long root_version = 1;
  long long timestamp_version = 1;
  long long version = 1;                             // of targets, targets/releases and snapshot
  std::map<std::string, std::string> targets_tags;   // tag -> manifest text
  std::map<std::string, std::string> releases_tags;  // tag -> manifest text

  Releases releases = Releases::absent;
  std::vector<std::string> releases_paths{""};
  // The keys targets lists for targets/releases (default: its own key) and its threshold.
  std::optional<std::vector<trust::PublicKey>> releases_keys;
  int releases_threshold = 1;
  // Who signs targets/releases (default: its own key under its own ID).
  std::optional<std::vector<trust::SigningKey>> releases_signers;
  bool snapshot_lists_releases = true;
  // The keys the root lists for the root role (default: root_cert) and its threshold; the
  // root is signed with root_key under every one of them.
  std::optional<std::vector<trust::PublicKey>> root_keys;
  int root_threshold = 1;
  std::string root_padding;  // an extra member of that many bytes makes the root that large
  std::map<std::string, trust::TimePoint> expires;  // role -> expiry, default now + 1 day

  std::map<std::string, std::string> files;  // role -> envelope bytes, after publish()

  MiniRepo() {
    for (const char* role : {"targets", "snapshot", "timestamp", "targets/releases"})
      keys.emplace(role, trust::PrivateKey::generate());
  }

  static nlohmann::json file_meta(const std::string& bytes) {
    trust::FileMeta m;
    m.length = static_cast<long long>(bytes.size());
    m.hashes["sha256"] = sha256(bytes);
    return m.to_json();
  }

  std::string expiry_of(const std::string& role) const {
    auto it = expires.find(role);
    return trust::format_rfc3339_nano(it != expires.end() ? it->second
                                                          : now + std::chrono::hours(24));
  }

  std::string sign_as(const std::string& role, const nlohmann::json& s) const {
    const trust::PrivateKey& k = keys.at(role);
    return trust::sign_metadata(s, {{k.id(), &k}});
  }

  void publish() {
    files.clear();
    publish_root();
    const std::string releases_role = "targets/releases";
    if (releases == Releases::published) {
      nlohmann::json r = targets_json(releases_tags, releases_role);
      const trust::PrivateKey& k = keys.at(releases_role);
      files[releases_role] = trust::sign_metadata(
          r, releases_signers.value_or(std::vector<trust::SigningKey>{{k.id(), &k}}));
    }
    nlohmann::json t = targets_json(targets_tags, "targets");
    if (releases != Releases::absent) {
      std::vector<trust::PublicKey> listed;
      if (releases != Releases::keyless)
        listed = releases_keys.value_or(
            std::vector<trust::PublicKey>{keys.at(releases_role).public_key()});
      nlohmann::json ids = nlohmann::json::array();
      for (const auto& k : listed) {
        t["delegations"]["keys"][k.id()] = k.to_json();
        ids.push_back(k.id());
      }
      t["delegations"]["roles"].push_back({{"keyids", ids},
                                           {"name", releases_role},
                                           {"paths", releases_paths},
                                           {"threshold", releases_threshold}});
    }
    files["targets"] = sign_as("targets", t);
    nlohmann::json snapshot = {{"_type", "Snapshot"},
                               {"expires", expiry_of("snapshot")},
                               {"meta", nlohmann::json::object()},
                               {"version", version}};
    snapshot["meta"]["root"] = file_meta(files["root"]);
    snapshot["meta"]["targets"] = file_meta(files["targets"]);
    if (files.count(releases_role) && snapshot_lists_releases)
      snapshot["meta"][releases_role] = file_meta(files[releases_role]);
    files["snapshot"] = sign_as("snapshot", snapshot);
    nlohmann::json timestamp = {{"_type", "Timestamp"},
                                {"expires", expiry_of("timestamp")},
                                {"meta", nlohmann::json::object()},
                                {"version", timestamp_version}};
    timestamp["meta"]["snapshot"] = file_meta(files["snapshot"]);
    files["timestamp"] = sign_as("timestamp", timestamp);
  }

  // Serves every file by current and checksum name, and the root by version too.
  void serve(FixtureServer& server) const {
    server.gun = gun;
    for (const auto& [role, bytes] : files) server.put(role + ".json", bytes);
    server.put(std::to_string(root_version) + ".root.json", files.at("root"));
  }

  // The sha256 hex of a manifest text, as resolve reports it.
  static std::string digest_of(const std::string& manifest) { return to_hex(sha256(manifest)); }

 private:
  nlohmann::json targets_json(const std::map<std::string, std::string>& tags,
                              const std::string& role) const {
    nlohmann::json t = {
        {"_type", "Targets"},
        {"delegations", {{"keys", nlohmann::json::object()}, {"roles", nlohmann::json::array()}}},
        {"expires", expiry_of(role)},
        {"targets", nlohmann::json::object()},
        {"version", version}};
    for (const auto& [tag, manifest] : tags) t["targets"][tag] = file_meta(manifest);
    return t;
  }

  void publish_root() {
    nlohmann::json root = {{"_type", "Root"},
                           {"consistent_snapshot", false},
                           {"expires", expiry_of("root")},
                           {"keys", nlohmann::json::object()},
                           {"roles", nlohmann::json::object()},
                           {"version", root_version}};
    std::vector<trust::SigningKey> signers;
    nlohmann::json root_ids = nlohmann::json::array();
    for (const auto& k : root_keys.value_or(std::vector<trust::PublicKey>{root_cert})) {
      root["keys"][k.id()] = k.to_json();
      root_ids.push_back(k.id());
      signers.push_back({k.id(), &root_key});
    }
    root["roles"]["root"] = {{"keyids", root_ids}, {"threshold", root_threshold}};
    if (!root_padding.empty()) root["padding"] = root_padding;
    for (const char* role : {"targets", "snapshot", "timestamp"}) {
      const trust::PrivateKey& key = keys.at(role);
      root["keys"][key.id()] = key.public_key().to_json();
      root["roles"][role] = {{"keyids", {key.id()}}, {"threshold", 1}};
    }
    // An unchanged root keeps its bytes: ECDSA signatures differ each time, and a client
    // refuses a different root under a version it already trusts.
    if (root != root_signed_) root_bytes_ = trust::sign_metadata(root, signers);
    root_signed_ = root;
    files["root"] = root_bytes_;
  }

  nlohmann::json root_signed_;
  std::string root_bytes_;
};

}  // namespace dct::test
