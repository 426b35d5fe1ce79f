#include "mutator.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/encoding.h"
#include "trust/crypto/key_store.h"
#include "trust/crypto/keys.h"
#include "trust/formats/metadata.h"

namespace dct::attack {
namespace fs = std::filesystem;
using nlohmann::json;

const trust::PrivateKey& KeyPool::add(trust::PrivateKey key) {
  keys_.push_back(std::make_unique<trust::PrivateKey>(std::move(key)));
  return *keys_.back();
}

const trust::PrivateKey& KeyPool::generate() { return add(trust::PrivateKey::generate("ecdsa")); }

std::string expires_in(std::chrono::hours h) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + h);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void Repo::sign(const std::string& role) {
  auto it = signers.find(role);
  if (it == signers.end() || it->second.empty())
    throw std::runtime_error("the mutator holds no key for " + role);
  std::string state = meta.at(role).dump();
  for (const auto& k : it->second) state += "\n" + k.keyid;
  if (bytes.count(role) && signed_as_[role] == state) return;
  bytes[role] = trust::sign_metadata(meta.at(role), it->second);
  signed_as_[role] = state;
}

void Repo::link(const std::string& role) {
  const std::string& raw = bytes.at(role);
  trust::FileMeta m;
  m.length = static_cast<long long>(raw.size());
  m.hashes["sha256"] = dct::sha256(raw);
  m.hashes["sha512"] = dct::sha512(raw);
  meta.at(role == "snapshot" ? "timestamp" : "snapshot")["meta"][role] = m.to_json();
}

std::vector<std::string> Repo::targets_roles() const {
  std::vector<std::string> out;
  for (const auto& [role, _] : meta)
    if (role == "targets" || role.starts_with("targets/")) out.push_back(role);
  return out;
}

void Repo::seal_snapshot() {
  for (const auto& role : targets_roles()) link(role);
  link("root");
  sign("snapshot");
  seal_timestamp();
}

void Repo::seal_timestamp() {
  link("snapshot");
  sign("timestamp");
}

void Repo::seal() {
  sign("root");
  auto roles = targets_roles();
  std::sort(roles.begin(), roles.end(), [](const std::string& a, const std::string& b) {
    auto depth = [](const std::string& s) { return std::count(s.begin(), s.end(), '/'); };
    return depth(a) > depth(b);
  });
  for (const auto& role : roles) sign(role);
  seal_snapshot();
}

void Repo::bump(const std::string& role, long long by) {
  meta.at(role)["version"] = meta.at(role)["version"].get<long long>() + by;
}

void Repo::add_delegation(KeyPool& pool, const std::string& parent, const std::string& name,
                          const std::vector<std::string>& paths) {
  const auto& key = pool.generate();
  std::string id = key.public_key().id();
  json& p = meta.at(parent);
  if (!p.contains("delegations") || p["delegations"].is_null())
    p["delegations"] = {{"keys", json::object()}, {"roles", json::array()}};
  p["delegations"]["keys"][id] = key.public_key().to_json();
  p["delegations"]["roles"].push_back(
      {{"name", name}, {"keyids", {id}}, {"threshold", 1}, {"paths", paths}});
  meta[name] = {{"_type", "Targets"},
                {"delegations", {{"keys", json::object()}, {"roles", json::array()}}},
                {"expires", expires_in(std::chrono::hours(24 * 365))},
                {"targets", json::object()},
                {"version", 1}};
  signers[name] = {{id, &key}};
}

void Repo::rekey(KeyPool& pool, const std::string& role) {
  const auto& key = pool.generate();
  std::string id = key.public_key().id();
  meta.at("root")["keys"][id] = key.public_key().to_json();
  meta.at("root")["roles"][role]["keyids"] = json::array({id});
  signers[role] = {{id, &key}};
}

std::map<std::string, std::string> Repo::files() const {
  std::map<std::string, std::string> out;
  for (const auto& [role, raw] : bytes) {
    out[role + ".json"] = raw;
    out[role + "." + dct::to_hex(dct::sha256(raw)) + ".json"] = raw;
  }
  if (bytes.count("root"))
    out[std::to_string(meta.at("root")["version"].get<long long>()) + ".root.json"] =
        bytes.at("root");
  for (const auto& [name, raw] : extra) out[name] = raw;
  return out;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

// Signing keys of a role, as far as the key store holds them.
std::vector<trust::SigningKey> held_keys(trust::KeyStore& store,
                                         trust::PassphraseRetriever& passphrases,
                                         const json& keyids, const json& keys) {
  std::vector<trust::SigningKey> out;
  for (const auto& id : keyids) {
    std::string tuf_id = id.get<std::string>();
    std::string canonical = trust::canonical_key_id(trust::PublicKey::from_json(keys.at(tuf_id)));
    if (!store.has(canonical)) continue;
    out.push_back({tuf_id, &store.load(canonical, passphrases)});
  }
  return out;
}

}  // namespace

Repo load_baseline(const fs::path& metadata_dir, const fs::path& trust_dir, const std::string& gun,
                   KeyPool& pool) {
  static std::vector<std::unique_ptr<trust::KeyStore>> stores;  // keys live as long as the run
  static std::unique_ptr<trust::FixedPassphrase> passphrases;
  stores.push_back(std::make_unique<trust::KeyStore>(trust_dir));
  auto& store = *stores.back();
  std::string repo_pass = env_or("NOTARY_TARGETS_PASSPHRASE", "");
  passphrases = std::make_unique<trust::FixedPassphrase>(
      std::map<std::string, std::string>{{"root", env_or("NOTARY_ROOT_PASSPHRASE", "")},
                                         {"targets", repo_pass},
                                         {"snapshot", env_or("NOTARY_SNAPSHOT_PASSPHRASE", "")}},
      env_or("NOTARY_DELEGATION_PASSPHRASE", repo_pass));

  Repo repo;
  repo.gun = gun;
  for (const auto& e : fs::recursive_directory_iterator(metadata_dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".json") continue;
    std::string role = fs::relative(e.path(), metadata_dir).generic_string();
    role.resize(role.size() - 5);
    repo.meta[role] = json::parse(read_all(e.path())).at("signed");
  }
  const json& root = repo.meta.at("root");
  for (const char* role : {"root", "targets"}) {
    repo.signers[role] =
        held_keys(store, *passphrases, root["roles"][role]["keyids"], root["keys"]);
    if (repo.signers[role].empty())
      throw std::runtime_error(std::string("no private key for ") + role + " in the trust dir");
  }
  for (const auto& parent : repo.targets_roles()) {
    const json& d = repo.meta[parent]["delegations"];
    if (d.is_null() || !d.contains("roles")) continue;
    for (const auto& r : d["roles"]) {
      std::string name = r["name"];
      if (!repo.meta.count(name) || r["keyids"].is_null()) continue;
      repo.signers[name] = held_keys(store, *passphrases, r["keyids"], d["keys"]);
      if (repo.signers[name].empty())
        throw std::runtime_error("no private key for " + name + " in the trust dir");
    }
  }
  repo.rekey(pool, "timestamp");
  repo.rekey(pool, "snapshot");
  repo.bump("root");
  repo.seal();
  return repo;
}

}  // namespace dct::attack
