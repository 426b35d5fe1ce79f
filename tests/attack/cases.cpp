#include "cases.h"

#include "base/encoding.h"
#include "trust/crypto/certificate.h"

namespace dct::attack {
namespace {
using nlohmann::json;
using std::chrono::hours;
using Kind = Case::Kind;

const char* kReleases = "targets/releases";

// Re-signs whatever lists `role`, so that only `role` itself is wrong.
void reseal_above(Repo& r, const std::string& role) {
  if (role == "timestamp") return;
  if (role == "snapshot") return r.seal_timestamp();
  if (role == "root") r.link("root");
  r.seal_snapshot();
}

// Serves `bytes` for `role` under its current name and under the checksum name its parent
// lists, without touching the parent.
void serve_instead(Repo& r, const std::string& role, const std::string& bytes) {
  std::string listed = dct::to_hex(dct::sha256(r.bytes.at(role)));
  r.extra[role + ".json"] = bytes;
  r.extra[role + "." + listed + ".json"] = bytes;
  if (role == "root")
    r.extra[std::to_string(r.meta.at("root")["version"].get<long long>()) + ".root.json"] = bytes;
}

// A new, honest version of `role` and of everything that lists it.
void publish_new(Repo& r, const std::string& role) {
  r.bump(role);
  r.sign(role);
  reseal_above(r, role);
}

void edit_envelope(Repo& r, const std::string& role, const std::function<void(json&)>& edit) {
  json doc = json::parse(r.bytes.at(role));
  edit(doc);
  r.bytes[role] = doc.dump();
  reseal_above(r, role);
}

void resign(Repo& r, const std::string& role, const std::function<void(json&)>& edit) {
  edit(r.meta.at(role));
  r.sign(role);
  reseal_above(r, role);
}

Case mk(std::string area, std::string name, std::string tag = "v1") {
  Case c;
  c.area = std::move(area);
  c.name = std::move(name);
  c.tag = std::move(tag);
  return c;
}

std::string tag_of(const std::string& role) { return role == kReleases ? "v2" : "v1"; }

// A new root key with a certificate for `cn` valid over [from, to], listed as the root role's
// only key; signers are the old keys too when `cosign`.
void rotate_root_key(Repo& r, KeyPool& pool, const std::string& cn, hours from, hours to,
                     bool cosign) {
  const auto& key = pool.generate();
  auto now = std::chrono::system_clock::now();
  auto cert = trust::certificate_key(key, trust::create_certificate(key, cn, now + from, now + to));
  std::string id = cert.id();
  json& root = r.meta.at("root");
  root["keys"][id] = cert.to_json();
  root["roles"]["root"]["keyids"] = json::array({id});
  auto signers = cosign ? r.signers.at("root") : std::vector<trust::SigningKey>{};
  signers.push_back({id, &key});
  r.signers["root"] = signers;
  r.bump("root");
  r.seal();
}

// targets itself signs v2 too, for the digest v1 has: the older signature a server would like
// clients to fall back to when it hides or breaks targets/releases.
void older_v2_in_targets(Repo& r) {
  json& targets = r.meta.at("targets")["targets"];
  if (targets.contains("v2")) return;
  targets["v2"] = targets.at("v1");
  r.bump("targets");
  r.sign("targets");
  reseal_above(r, "targets");
}

json& releases_delegation(Repo& r) {
  for (auto& d : r.meta.at("targets")["delegations"]["roles"])
    if (d["name"] == kReleases) return d;
  throw std::runtime_error("the baseline has no targets/releases delegation");
}

// A case about targets/releases, on a repository where targets also signs v2 (older digest).
Case releases_case(std::string area, std::string name, std::function<void(Repo&)> attack) {
  Case c = mk(std::move(area), std::move(name), "v2");
  c.seed = older_v2_in_targets;
  c.attack = [attack](Repo& r) {
    older_v2_in_targets(r);
    attack(r);
  };
  return c;
}

// A new snapshot (and timestamp) without targets/releases, as a server holding the snapshot
// key can make one.
void hide_releases(Repo& r) {
  r.meta.at("snapshot")["meta"].erase(kReleases);
  r.bump("snapshot");
  r.sign("snapshot");
  r.seal_timestamp();
}

}  // namespace

std::vector<Case> all_cases(KeyPool& pool) {
  std::vector<Case> cases;
  const std::vector<std::string> chain{"timestamp", "snapshot", "targets", kReleases, "root"};

  // --- signatures
  for (const auto& role : chain) {
    Case c = mk("signatures", "bad signature on " + role, tag_of(role));
    c.attack = [role](Repo& r) {
      r.bump(role);
      r.sign(role);
      edit_envelope(r, role, [](json& doc) {
        auto sig = *dct::base64_decode(doc["signatures"][0]["sig"].get<std::string>());
        sig[7] = static_cast<char>(sig[7] ^ 0x10);
        doc["signatures"][0]["sig"] = dct::base64_encode(sig);
      });
    };
    c.expect = {"signature"};
    c.sign_too = role == "targets";
    cases.push_back(c);
  }
  for (const auto& role : {std::string("targets"), std::string("snapshot")}) {
    Case c = mk("signatures", role + " signed by a key outside the role");
    c.attack = [role, &pool](Repo& r) {
      const auto& stranger = pool.generate();
      r.signers[role] = {{stranger.public_key().id(), &stranger}};
      r.sign(role);
      reseal_above(r, role);
    };
    c.expect = {"signature", "threshold", "required"};
    cases.push_back(c);
  }
  {
    Case c = mk("signatures", "one signature copied twice against threshold 2");
    c.attack = [](Repo& r) {
      r.meta.at("root")["roles"]["targets"]["threshold"] = 2;
      r.bump("root");
      r.seal();
      edit_envelope(r, "targets",
                    [](json& doc) { doc["signatures"].push_back(doc["signatures"][0]); });
    };
    c.expect = {"threshold", "signature", "required"};
    cases.push_back(c);
  }
  {
    Case c = mk("signatures", "two signatures by one key ID against threshold 2");
    c.attack = [](Repo& r) {
      r.meta.at("root")["roles"]["targets"]["threshold"] = 2;
      auto k = r.signers.at("targets").at(0);
      r.signers["targets"] = {k, k};
      r.bump("root");
      r.seal();
    };
    c.expect = {"threshold", "signature", "required"};
    cases.push_back(c);
  }
  {
    Case c = mk("signatures", "root lists one key ID twice, threshold 2");
    c.attack = [](Repo& r) {
      json& role = r.meta.at("root")["roles"]["targets"];
      role["keyids"].push_back(role["keyids"][0]);
      role["threshold"] = 2;
      auto k = r.signers.at("targets").at(0);
      r.signers["targets"] = {k, k};
      r.bump("root");
      r.seal();
    };
    c.expect = {"threshold", "signature", "required"};
    cases.push_back(c);
  }
  for (const auto& role : {std::string("targets"), std::string(kReleases)}) {
    Case c = mk("signatures", "threshold not met on " + role, tag_of(role));
    if (role == kReleases) c.seed = older_v2_in_targets;
    c.attack = [role, &pool](Repo& r) {
      if (role == kReleases) older_v2_in_targets(r);
      if (role == "targets") {
        r.meta.at("root")["roles"]["targets"]["threshold"] = 2;
        r.bump("root");
      } else {
        const auto& extra_key = pool.generate();
        json& delegations = r.meta.at("targets")["delegations"];
        delegations["keys"][extra_key.public_key().id()] = extra_key.public_key().to_json();
        for (auto& d : delegations["roles"])
          if (d["name"] == role) {
            d["keyids"].push_back(extra_key.public_key().id());
            d["threshold"] = 2;
          }
      }
      r.seal();
    };
    c.expect = {"threshold", "signature", "required"};
    cases.push_back(c);
  }

  // --- expiry
  for (const auto& role : chain) {
    Case c = mk("expiry", "expired " + role, tag_of(role));
    if (role == kReleases) c.seed = older_v2_in_targets;
    c.attack = [role](Repo& r) {
      if (role == kReleases) older_v2_in_targets(r);
      if (role == "root") r.bump("root");
      resign(r, role, [](json& s) { s["expires"] = expires_in(hours(-2)); });
    };
    c.expect = {"expired"};
    c.sign_too = role == "targets";
    cases.push_back(c);
  }

  // --- rollback (the cache holds a newer version than the server offers)
  for (const auto& role : chain) {
    Case c = mk("rollback", "rollback of " + role, tag_of(role));
    c.seed = [role](Repo& r) {
      r.bump(role, 5);
      r.seal();
    };
    c.expect = {"rollback", "older", "version", "different from the trusted"};
    c.sign_too = role == "targets";
    cases.push_back(c);
  }
  {
    Case c = mk("rollback", "mix-and-match: targets from another snapshot");
    c.attack = [](Repo& r) {
      std::string older = r.bytes.at("targets");
      publish_new(r, "targets");
      serve_instead(r, "targets", older);
    };
    c.expect = {"hash", "length", "checksum"};
    cases.push_back(c);
  }

  // --- hashes and lengths at every link
  for (const auto& role : std::vector<std::string>{"snapshot", "targets", kReleases, "root"}) {
    std::string parent = role == "snapshot" ? "timestamp" : "snapshot";
    Case h = mk("hashes", "hash mismatch " + parent + " -> " + role, tag_of(role));
    h.attack = [role](Repo& r) {
      publish_new(r, role);
      std::string b = r.bytes.at(role);
      auto at = b.find("\"sig\":\"") + 7;
      b[at] = b[at] == 'A' ? 'B' : 'A';  // same length, other bytes
      serve_instead(r, role, b);
    };
    h.expect = {"hash", "checksum", "sha256", "invalid signature"};
    cases.push_back(h);
    Case l = mk("hashes", "length mismatch " + parent + " -> " + role, tag_of(role));
    l.attack = [role](Repo& r) {
      publish_new(r, role);
      serve_instead(r, role, r.bytes.at(role) + " ");
    };
    l.expect = {"length", "size", "bytes", "larger", "does not serve"};
    cases.push_back(l);
  }

  // --- malformed files and transfer faults
  {
    Case c = mk("network", "oversized timestamp (2 MB, cap 1 MB)");
    c.faults["timestamp.json"].grow_to = 2u << 20;
    c.expect = {"large", "exceed", "limit", "size"};
    cases.push_back(c);
  }
  {
    Case c = mk("network", "snapshot larger than its listed length");
    c.attack = [](Repo& r) {
      publish_new(r, "snapshot");
      serve_instead(r, "snapshot", r.bytes.at("snapshot") + std::string(1 << 20, ' '));
    };
    c.expect = {"length", "large", "exceed", "size"};
    cases.push_back(c);
  }
  {
    Case c = mk("network", "slow timestamp response (timeout)");
    c.kind = Kind::network;
    c.http_timeout_s = 2;
    c.faults["timestamp.json"].delay = std::chrono::milliseconds(8000);
    c.expect = {"time"};
    cases.push_back(c);
  }
  {
    Case c = mk("network", "truncated timestamp body");
    c.kind = Kind::network;
    c.attack = [](Repo& r) { r.seal(); };
    c.faults["timestamp.json"].truncate_to = 40;
    cases.push_back(c);
  }
  for (const auto& role : {std::string("timestamp"), std::string("targets")}) {
    Case c = mk("format", "invalid JSON in " + role);
    c.attack = [role](Repo& r) {
      r.bytes[role] = "{\"signed\": {\"_type\": ";
      reseal_above(r, role);
    };
    c.expect = {"json", "malformed", "invalid", "parse"};
    cases.push_back(c);
  }
  {
    Case c = mk("format", "timestamp of the wrong shape (meta is a list)");
    c.attack = [](Repo& r) {
      resign(r, "timestamp", [](json& s) { s["meta"] = json::array({1, 2}); });
    };
    c.expect = {"malformed", "invalid", "meta", "expected"};
    cases.push_back(c);
  }
  {
    Case c = mk("format", "targets with _type Snapshot");
    c.attack = [](Repo& r) { resign(r, "targets", [](json& s) { s["_type"] = "Snapshot"; }); };
    c.expect = {"type", "snapshot"};
    cases.push_back(c);
  }

  // --- no fall-back from targets/releases to targets (targets signs v2 with an older digest)
  {
    Case c = releases_case("fallback",
                           "targets/releases left out of a new snapshot after it was "
                           "trusted",
                           hide_releases);
    c.expect = {"no longer lists targets/releases"};
    c.sign_too = true;
    cases.push_back(c);
  }
  {
    Case c = releases_case("fallback", "targets/releases served without signatures", [](Repo& r) {
      r.bump(kReleases);
      r.sign(kReleases);
      edit_envelope(r, kReleases, [](json& doc) { doc["signatures"] = json::array(); });
    });
    c.expect = {"targets/releases"};
    c.sign_too = true;
    cases.push_back(c);
  }
  {
    Case c = releases_case("fallback", "targets/releases signed by a key outside the role",
                           [&pool](Repo& r) {
                             const auto& stranger = pool.generate();
                             r.signers[kReleases] = {{stranger.public_key().id(), &stranger}};
                             publish_new(r, kReleases);
                           });
    c.expect = {"targets/releases"};
    c.sign_too = true;
    cases.push_back(c);
  }
  {
    Case c = releases_case("fallback",
                           "control: the owner removes targets/releases, targets "
                           "signs the tag",
                           [](Repo& r) {
                             json& roles = r.meta.at("targets")["delegations"]["roles"];
                             for (auto it = roles.begin(); it != roles.end(); ++it)
                               if ((*it)["name"] == kReleases) {
                                 roles.erase(it);
                                 break;
                               }
                             r.meta.erase(kReleases);
                             r.bytes.erase(kReleases);
                             r.meta.at("snapshot")["meta"].erase(kReleases);
                             r.bump("targets");
                             r.seal();
                           });
    c.expect_success = true;
    cases.push_back(c);
  }
  {
    Case c = releases_case("fallback",
                           "control: the owner removes the last key of "
                           "targets/releases, targets signs the tag",
                           [](Repo& r) {
                             releases_delegation(r)["keyids"] = json::array();
                             r.bump("targets");
                             r.seal();
                           });
    c.expect_success = true;
    cases.push_back(c);
  }
  {
    // Trust on first use: a snapshot without targets/releases is exactly what a repository
    // looks like right after `delegation add`, before anyone signs into it (README: "The
    // trust rule").
    Case c = releases_case("fallback",
                           "known limit: on first contact a hidden targets/releases "
                           "looks never published, targets signs the tag",
                           hide_releases);
    c.cold = true;
    c.expect_success = true;
    cases.push_back(c);
  }

  // --- thresholds count keys, not key IDs
  {
    Case c = releases_case(
        "signatures", "targets/releases lists its key twice (bare and certificate), threshold 2",
        [](Repo& r) {
          json& d = releases_delegation(r);
          const trust::SigningKey signer = r.signers.at(kReleases).at(0);
          const trust::PublicKey bare = signer.key->public_key();
          r.meta.at("targets")["delegations"]["keys"][bare.id()] = bare.to_json();
          d["keyids"].push_back(bare.id());
          d["threshold"] = 2;
          r.signers[kReleases] = {signer, {bare.id(), signer.key}};
          r.bump(kReleases);
          r.bump("targets");
          r.seal();
        });
    c.expect = {"distinct"};
    cases.push_back(c);
  }
  {
    Case c = mk("signatures", "root lists its key under two certificates, threshold 2");
    c.attack = [](Repo& r) {
      const trust::SigningKey signer = r.signers.at("root").at(0);
      auto now = std::chrono::system_clock::now();
      trust::PublicKey second = trust::certificate_key(
          *signer.key,
          trust::create_certificate(*signer.key, r.gun, now - hours(2), now + hours(24 * 365)));
      json& root = r.meta.at("root");
      root["keys"][second.id()] = second.to_json();
      root["roles"]["root"]["keyids"].push_back(second.id());
      root["roles"]["root"]["threshold"] = 2;
      r.signers["root"].push_back({second.id(), signer.key});
      r.bump("root");
      r.seal();
    };
    c.expect = {"distinct"};
    cases.push_back(c);
  }

  // --- delegation names and paths
  for (const auto& bad : {std::string("targets/../releases"), std::string("/targets/abs"),
                          std::string("targets/Rel eases"), std::string("targets/rel\u00e9ase")}) {
    Case c = mk("delegations", "delegation named \"" + bad + "\"");
    c.attack = [bad, &pool](Repo& r) {
      r.add_delegation(pool, "targets", bad, {""});
      r.meta.erase(bad);
      r.signers.erase(bad);
      r.seal();
    };
    c.expect = {"name", "role", "delegation"};
    cases.push_back(c);
  }
  {
    Case c = mk("delegations", "targets/releases signs a tag outside its paths", "v2");
    c.kind = Kind::refused;
    c.attack = [](Repo& r) {
      for (auto& d : r.meta.at("targets")["delegations"]["roles"])
        if (d["name"] == kReleases) d["paths"] = json::array({"only-"});
      r.seal();
    };
    c.expect = {"not signed", "path", "outside"};
    cases.push_back(c);
  }
  {
    Case c = mk("delegations", "nested delegation signs outside its parent's paths", "x1");
    c.kind = Kind::refused;
    c.attack = [&pool](Repo& r) {
      for (auto& d : r.meta.at("targets")["delegations"]["roles"])
        if (d["name"] == kReleases) d["paths"] = json::array({"v"});
      r.add_delegation(pool, kReleases, "targets/releases/team", {""});
      r.meta.at("targets/releases/team")["targets"]["x1"] = r.meta.at(kReleases)["targets"]["v2"];
      r.seal();
    };
    c.expect = {"not signed", "path", "outside"};
    cases.push_back(c);
  }

  // --- root rotation
  {
    Case c = mk("root", "rotation with a missing link (N+2 without N+1)");
    c.kind = Kind::refused;
    c.attack = [](Repo& r) {
      r.bump("root", 2);
      r.seal();
    };
    c.expect = {"root.json was not found"};
    cases.push_back(c);
  }
  {
    Case c = mk("root", "rotation whose N+1 is signed by a stranger");
    c.attack = [&pool](Repo& r) {
      Repo step = r;
      step.bump("root");
      const auto& stranger = pool.generate();
      step.signers["root"] = {{stranger.public_key().id(), &stranger}};
      step.sign("root");
      r.bump("root", 2);
      r.seal();
      r.extra[std::to_string(step.meta.at("root")["version"].get<long long>()) + ".root.json"] =
          step.bytes.at("root");
    };
    c.expect = {"root"};
    cases.push_back(c);
  }
  for (std::size_t mib : {std::size_t(0), std::size_t(25)}) {
    // root.json claims a version 20 ahead; every link in between is signed by a stranger
    // (and, in the second case, padded to 25 MB). A timestamp under a new key makes the
    // client look for a newer root.
    Case c = mk("root", mib ? "root.json 20 versions ahead, links of 25 MB by a stranger"
                            : "root.json 20 versions ahead, links signed by a stranger");
    c.attack = [&pool](Repo& r) {
      long long trusted = r.meta.at("root")["version"].get<long long>();
      r.rekey(pool, "timestamp");
      r.seal_timestamp();
      Repo forged = r;
      const auto& stranger = pool.generate();
      forged.signers["root"] = {{stranger.public_key().id(), &stranger}};
      for (long long v = trusted + 1; v <= trusted + 20; ++v) {
        forged.meta.at("root")["version"] = v;
        forged.sign("root");
        r.extra[std::to_string(v) + ".root.json"] = forged.bytes.at("root");
      }
      r.extra["root.json"] = forged.bytes.at("root");
    };
    if (mib)
      for (int v = 1; v <= 40; ++v) c.faults[std::to_string(v) + ".root.json"].grow_to = mib << 20;
    c.max_rss_mib = 120;
    c.max_intermediate_roots = 1;  // the first link is refused, so the walk ends there
    c.expect = {"root"};
    cases.push_back(c);
  }
  {
    Case c = mk("root", "new root signed only by its new key");
    c.attack = [&pool](Repo& r) {
      rotate_root_key(r, pool, r.gun, hours(-1), hours(24 * 365), false);
    };
    c.expect = {"root"};
    cases.push_back(c);
  }
  {
    Case c = mk("root", "new root certificate expired");
    c.attack = [&pool](Repo& r) { rotate_root_key(r, pool, r.gun, hours(-48), hours(-24), true); };
    c.expect = {"expired", "certificate"};
    cases.push_back(c);
  }
  {
    Case c = mk("root", "new root certificate with the wrong CN");
    c.attack = [&pool](Repo& r) {
      rotate_root_key(r, pool, "example.com/other", hours(-1), hours(24 * 365), true);
    };
    c.expect = {"certificate", "cn", "name"};
    cases.push_back(c);
  }
  {
    Case c = mk("root", "control: rotation signed by old and new keys is followed");
    c.expect_success = true;
    c.attack = [&pool](Repo& r) {
      rotate_root_key(r, pool, r.gun, hours(-1), hours(24 * 365), true);
    };
    cases.push_back(c);
  }
  {
    Case c = mk("root", "fast-forwarded timestamp, then an honest lower version");
    c.seed = [](Repo& r) {
      r.bump("timestamp", 1000);
      r.seal();
    };
    c.expect = {"rollback", "older", "version"};
    cases.push_back(c);
  }
  {
    Case c = mk("root", "fast-forwarded timestamp, recovery after timestamp key rotation");
    c.expect_success = true;
    c.seed = [](Repo& r) {
      r.bump("timestamp", 1000);
      r.seal();
    };
    c.attack = [&pool](Repo& r) {
      r.rekey(pool, "timestamp");
      r.bump("root");
      r.seal();
    };
    cases.push_back(c);
  }
  return cases;
}

}  // namespace dct::attack
