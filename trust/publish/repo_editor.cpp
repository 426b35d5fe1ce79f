#include "trust/publish/repo_editor.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/encoding.h"
#include "base/errors.h"
#include "trust/crypto/signer.h"

namespace dct::trust {

using nlohmann::json;

namespace {

bool has_prefix(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::vector<std::string> restrict_to(const std::vector<std::string>& child,
                                     const std::vector<std::string>& parent) {
  std::vector<std::string> out;
  for (const auto& p : child)
    if (std::any_of(parent.begin(), parent.end(),
                    [&](const std::string& allowed) { return has_prefix(p, allowed); }))
      out.push_back(p);
  return out;
}

json role_keys_json(const std::string& id) { return {{"keyids", {id}}, {"threshold", 1}}; }

std::string short_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) {
    if (!out.empty()) out += ", ";
    out += id;
  }
  return out.empty() ? "none" : out;
}

Error change_error(const Change& c, const std::string& why) {
  const std::string what =
      c.type == "target"
          ? fmt::format("{} of tag \"{}\" in {}", c.action == "delete" ? "removal" : "signature",
                        c.path, c.role)
          : fmt::format("{} change to {}", c.type, c.role);
  return Error(ErrorCode::invalid_argument,
               fmt::format("cannot apply the staged {}: {}", what, why));
}

json parse_change_data(const Change& c) {
  if (!c.data) throw change_error(c, "the change carries no data");
  json j = json::parse(*c.data, nullptr, false);
  if (!j.is_object()) throw change_error(c, "its data is not a JSON object");
  return j;
}

std::vector<std::string> string_list(const json& j, const char* name, const Change& c) {
  std::vector<std::string> out;
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) throw change_error(c, fmt::format("\"{}\" is not a list", name));
  for (const auto& v : *it) {
    if (!v.is_string()) throw change_error(c, fmt::format("\"{}\" holds a non-string", name));
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

FileMeta file_meta_of(const std::string& bytes) {
  FileMeta m;
  m.length = static_cast<long long>(bytes.size());
  m.hashes["sha256"] = sha256(bytes);
  m.hashes["sha512"] = sha512(bytes);
  return m;
}

std::vector<std::string> RoleSigners::canonical_ids() const {
  std::vector<std::string> out;
  for (const auto& [id, key] : keys) out.push_back(canonical_key_id(key));
  return out;
}

EditableTargets EditableTargets::from(const Targets& parsed) {
  EditableTargets t;
  t.name = parsed.role_name;
  t.version = parsed.file.version;
  t.targets = parsed.targets;
  t.keys = parsed.delegation_keys;
  t.delegations = parsed.delegations;
  return t;
}

json EditableTargets::to_signed_json(long long new_version, const std::string& expires) const {
  json roles = json::array();
  for (const auto& d : delegations) {
    json r = {{"keyids", d.keyids}, {"name", d.name}, {"threshold", d.threshold}};
    if (!d.paths.empty()) r["paths"] = d.paths;
    roles.push_back(std::move(r));
  }
  json key_map = json::object();
  for (const auto& [id, key] : keys) key_map[id] = key.to_json();
  json target_map = json::object();
  for (const auto& [target, meta] : targets) target_map[target] = meta.to_json();
  return {{"_type", "Targets"},
          {"delegations", {{"keys", std::move(key_map)}, {"roles", std::move(roles)}}},
          {"expires", expires},
          {"targets", std::move(target_map)},
          {"version", new_version}};
}

DelegationRole* EditableTargets::find_delegation(const std::string& role) {
  for (auto& d : delegations)
    if (d.name == role) return &d;
  return nullptr;
}

RepoEditor::RepoEditor(std::string gun, const TrustedRepository& repo)
    : gun_(std::move(gun)),
      root_(repo.root),
      unverified_(repo.unverified),
      paths_(repo.paths),
      snapshot_(repo.snapshot) {
  for (const auto& [name, t] : repo.roles) roles_.emplace(name, EditableTargets::from(t));
}

RepoEditor RepoEditor::initialize(std::string gun, const InitKeys& keys,
                                  const PrivateKey& targets_key, const PrivateKey* snapshot_key,
                                  TimePoint now, std::vector<RepoFile>* created) {
  // Protocol notes 7.1: one key per base role, thresholds 1, consistent_snapshot false.
  const std::string root_id = keys.root_certificate.id();
  json key_map = {{root_id, keys.root_certificate.to_json()},
                  {keys.targets.id(), keys.targets.to_json()},
                  {keys.snapshot.id(), keys.snapshot.to_json()},
                  {keys.timestamp.id(), keys.timestamp.to_json()}};
  json roles = {{"root", role_keys_json(root_id)},
                {"snapshot", role_keys_json(keys.snapshot.id())},
                {"targets", role_keys_json(keys.targets.id())},
                {"timestamp", role_keys_json(keys.timestamp.id())}};
  json root = {{"_type", "Root"},
               {"consistent_snapshot", false},
               {"expires", format_rfc3339_nano(now + kRootExpiry)},
               {"keys", std::move(key_map)},
               {"roles", std::move(roles)},
               {"version", 1}};
  std::string root_bytes = sign_metadata(root, {{root_id, keys.root}});

  RepoEditor e;
  e.gun_ = std::move(gun);
  e.root_ = Root::parse(SignedFile::parse(root_bytes, "root"));
  e.initial_ = true;
  e.paths_["targets"] = {""};
  EditableTargets targets;
  targets.name = "targets";
  targets.version = 1;
  const std::string targets_bytes =
      sign_metadata(targets.to_signed_json(1, format_rfc3339_nano(now + kTargetsExpiry)),
                    {{keys.targets.id(), &targets_key}});
  targets.dirty = true;  // the first publish re-signs targets, as notary's does
  e.roles_.emplace("targets", std::move(targets));
  if (created) {
    created->push_back({"root", root_bytes});
    created->push_back({"targets", targets_bytes});
  }
  if (snapshot_key) {
    json meta = {{"root", file_meta_of(root_bytes).to_json()},
                 {"targets", file_meta_of(targets_bytes).to_json()}};
    json snapshot = {{"_type", "Snapshot"},
                     {"expires", format_rfc3339_nano(now + kSnapshotExpiry)},
                     {"meta", std::move(meta)},
                     {"version", 1}};
    std::string bytes = sign_metadata(snapshot, {{keys.snapshot.id(), snapshot_key}});
    e.snapshot_ = Snapshot::parse(SignedFile::parse(bytes, "snapshot"));
    if (created) created->push_back({"snapshot", std::move(bytes)});
  }
  return e;
}

RepoEditor RepoEditor::from_unpublished(std::string gun, Root root, Targets targets,
                                        std::optional<Snapshot> snapshot) {
  RepoEditor e;
  e.gun_ = std::move(gun);
  e.root_ = std::move(root);
  e.initial_ = true;
  e.paths_["targets"] = {""};
  EditableTargets t = EditableTargets::from(targets);
  t.dirty = true;
  e.roles_.emplace("targets", std::move(t));
  e.snapshot_ = std::move(snapshot);
  return e;
}

bool RepoEditor::has_role(const std::string& role) const {
  if (roles_.count(role)) return true;
  if (role == "targets" || !is_valid_delegation_name(role)) return false;
  auto parent = roles_.find(parent_role(role));
  if (parent == roles_.end()) return false;
  return std::any_of(parent->second.delegations.begin(), parent->second.delegations.end(),
                     [&](const DelegationRole& d) { return d.name == role; });
}

const EditableTargets* RepoEditor::role(const std::string& name) const {
  auto it = roles_.find(name);
  return it == roles_.end() ? nullptr : &it->second;
}

std::vector<DelegationRole> RepoEditor::delegations_of(const std::string& role) const {
  auto it = roles_.find(role);
  return it == roles_.end() ? std::vector<DelegationRole>{} : it->second.delegations;
}

RoleSigners RepoEditor::signers(const std::string& role) const {
  RoleSigners out;
  auto add = [&](const std::vector<std::string>& ids,
                 const std::map<std::string, PublicKey>& keys) {
    for (const auto& id : ids)
      if (auto k = keys.find(id); k != keys.end()) out.keys.emplace_back(id, k->second);
  };
  if (role == "root" || role == "targets" || role == "snapshot" || role == "timestamp") {
    auto it = root_.roles.find(role);
    if (it == root_.roles.end()) return out;
    out.threshold = it->second.threshold;
    add(it->second.keyids, root_.keys);
    return out;
  }
  auto parent = roles_.find(parent_role(role));
  if (parent == roles_.end()) return out;
  for (const auto& d : parent->second.delegations)
    if (d.name == role) {
      out.threshold = d.threshold;
      add(d.keyids, parent->second.keys);
    }
  return out;
}

std::vector<std::string> RepoEditor::paths(const std::string& role) const {
  if (auto it = paths_.find(role); it != paths_.end()) return it->second;
  if (role == "targets") return {""};
  auto parent = roles_.find(parent_role(role));
  if (parent == roles_.end()) return {};
  for (const auto& d : parent->second.delegations)
    if (d.name == role) return restrict_to(d.paths, paths(parent->first));
  return {};
}

bool RepoEditor::path_allowed(const std::string& role, const std::string& target) const {
  const auto p = paths(role);
  return std::any_of(p.begin(), p.end(),
                     [&](const std::string& allowed) { return has_prefix(target, allowed); });
}

bool RepoEditor::can_sign(const std::string& role, KeyProvider& keys) const {
  const RoleSigners s = signers(role);
  std::set<std::string> held;
  for (const auto& id : s.canonical_ids())
    if (keys.has(id)) held.insert(id);
  return !s.keys.empty() && static_cast<int>(held.size()) >= s.threshold;
}

void RepoEditor::require_signable(const std::string& role, KeyProvider& keys,
                                  const std::string& why) const {
  if (can_sign(role, keys)) return;
  throw Error(ErrorCode::no_signing_key,
              fmt::format("{}: {} cannot be signed here, none of its keys ({}) is in the private "
                          "key store",
                          why, role, short_ids(signers(role).canonical_ids())));
}

bool RepoEditor::editable_now(const std::string& role) const {
  if (roles_.count(role)) return true;
  return !(snapshot_ && snapshot_->meta.count(role) && !deleted_.count(role));
}

void RepoEditor::ensure_loaded(const std::string& role) {
  if (roles_.count(role)) return;
  if (!has_role(role))
    throw Error(ErrorCode::invalid_role_name,
                fmt::format("role {} does not exist in {}", role, gun_));
  if (!editable_now(role))
    throw Error(ErrorCode::internal, fmt::format("role {} was not loaded before editing", role));
  // Declared by its parent but never signed into: it starts empty.
  EditableTargets t;
  t.name = role;
  roles_.emplace(role, std::move(t));
  paths_[role] = paths(role);
}

const Targets* RepoEditor::unverified(const std::string& name) const {
  auto it = unverified_.find(name);
  return it == unverified_.end() ? nullptr : &it->second;
}

EditableTargets& RepoEditor::editable(const std::string& role) {
  ensure_loaded(role);
  return roles_.at(role);
}

void RepoEditor::apply(const Change& change, KeyProvider& keys) {
  if (change.type == "target") return apply_target(change, keys);
  if (change.type == "delegation") return apply_delegation(change, keys);
  if (change.type == "witness") return apply_witness(change, keys);
  throw change_error(change, fmt::format("unsupported change type \"{}\"", change.type));
}

// Notary's witnessTargets: a loaded role is signed again as it is; a role whose file failed
// verification is taken as it is and signed again once the keys held here meet its threshold.
void RepoEditor::apply_witness(const Change& c, KeyProvider& keys) {
  if (c.role != "targets" && !is_valid_delegation_name(c.role))
    throw change_error(c, "only targets and delegation roles can be witnessed");
  if (!roles_.count(c.role)) {
    auto it = unverified_.find(c.role);
    if (it == unverified_.end() || !has_role(c.role))
      throw change_error(
          c, fmt::format("{} is not a role of {} with metadata to sign again", c.role, gun_));
    require_signable(c.role, keys, fmt::format("cannot witness {}", c.role));
    roles_.emplace(c.role, EditableTargets::from(it->second));
    auto allowed = paths(c.role);
    paths_[c.role] = std::move(allowed);
    unverified_.erase(it);
  }
  roles_.at(c.role).dirty = true;  // sign() needs the role's keys
}

void RepoEditor::apply_target(const Change& c, KeyProvider& keys) {
  if (c.role != "targets" && !is_valid_delegation_name(c.role))
    throw change_error(c, "the scope is not a targets role");
  if (!has_role(c.role))
    throw change_error(c, fmt::format("{} does not exist in {}", c.role, gun_));
  EditableTargets& t = editable(c.role);
  if (c.action == "delete") {
    if (!t.targets.count(c.path)) return;
    require_signable(c.role, keys, fmt::format("cannot remove \"{}\"", c.path));
    t.targets.erase(c.path);
    t.dirty = true;
    return;
  }
  if (c.action != "create" && c.action != "update")
    throw change_error(c, fmt::format("unknown action \"{}\"", c.action));
  if (!path_allowed(c.role, c.path))
    throw change_error(
        c, fmt::format("{} may not sign \"{}\" (its paths do not allow it)", c.role, c.path));
  FileMeta meta;
  try {
    meta = FileMeta::from_json(parse_change_data(c), "staged change " + c.file);
  } catch (const Error& e) {
    throw change_error(c, e.what());
  }
  if (auto it = t.targets.find(c.path);
      it != t.targets.end() && it->second.to_json() == meta.to_json())
    return;  // unchanged: no key needed, as in notary
  require_signable(c.role, keys, fmt::format("cannot sign \"{}\"", c.path));
  t.targets[c.path] = std::move(meta);
  t.dirty = true;
}

void RepoEditor::prune_unused_keys(EditableTargets& parent) {
  std::set<std::string> used;
  for (const auto& d : parent.delegations) used.insert(d.keyids.begin(), d.keyids.end());
  for (auto it = parent.keys.begin(); it != parent.keys.end();)
    it = used.count(it->first) ? std::next(it) : parent.keys.erase(it);
}

void RepoEditor::apply_delegation(const Change& c, KeyProvider& keys) {
  // Purge of key IDs from every delegation the user can edit (`notary delegation purge`). As
  // notary's PurgeDelegationKeys, only the subtree below the wildcard's parent is walked, and
  // only the wildcard of a targets role is a purge scope.
  if (c.role.size() > 2 && c.role.ends_with("/*")) {
    const std::string start = c.role.substr(0, c.role.size() - 2);
    if (start != "targets" && !is_valid_delegation_name(start))
      throw change_error(c, "not a wildcard of a targets role");
    const json j = parse_change_data(c);
    const auto remove = string_list(j, "remove_keys", c);
    const std::set<std::string> ids(remove.begin(), remove.end());
    for (auto& [name, t] : roles_) {
      if (name != start && !has_prefix(name, start + "/")) continue;
      if (!can_sign(name, keys)) continue;
      bool changed = false;
      for (auto& d : t.delegations) {
        auto before = d.keyids.size();
        const auto& role_keys = t.keys;  // clang 14 lambdas cannot capture structured bindings
        std::erase_if(d.keyids, [&](const std::string& id) {
          auto k = role_keys.find(id);
          return ids.count(id) || (k != role_keys.end() && ids.count(canonical_key_id(k->second)));
        });
        changed |= before != d.keyids.size();
      }
      if (changed) {
        prune_unused_keys(t);
        t.dirty = true;
      }
    }
    return;
  }
  if (!is_valid_delegation_name(c.role)) throw change_error(c, "invalid delegation name");
  const std::string parent_name = parent_role(c.role);
  if (!roles_.count(parent_name) && !has_role(parent_name))
    throw change_error(c, fmt::format("its parent {} does not exist", parent_name));
  EditableTargets& parent = editable(parent_name);
  require_signable(parent_name, keys, fmt::format("cannot change delegation {}", c.role));

  if (c.action == "delete") {
    std::erase_if(parent.delegations, [&](const DelegationRole& d) { return d.name == c.role; });
    prune_unused_keys(parent);
    parent.dirty = true;
    roles_.erase(c.role);
    paths_.erase(c.role);
    deleted_.insert(c.role);
    return;
  }
  const json j = parse_change_data(c);
  DelegationRole* d = parent.find_delegation(c.role);
  int threshold = 0;
  if (auto it = j.find("threshold"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || *it > 1000)
      throw change_error(c, "\"threshold\" is not a whole number up to 1000");
    const auto value = it->get<long long>();
    threshold = value > 0 ? static_cast<int>(value) : 0;
  }
  bool clear_paths = false;
  if (auto it = j.find("clear_paths"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) throw change_error(c, "\"clear_paths\" is not true or false");
    clear_paths = it->get<bool>();
  }
  if (!d) {
    if (c.action != "create" || threshold < 1)
      throw change_error(
          c, fmt::format("{} does not exist (a new role needs keys and a threshold)", c.role));
    // A role deleted earlier in this publish stays in deleted_: its old file leaves the
    // snapshot (as notary's DeleteDelegation drops it) unless the new role is signed into.
    parent.delegations.push_back(DelegationRole{c.role, {}, threshold, {}, false});
    d = &parent.delegations.back();
  }
  // An existing role keeps its threshold: notary's delegationUpdateVisitor uses the change's
  // threshold only for a new role (`delegation add` always sends 1).
  // Order as notary applies an update: remove paths, clear paths, add paths, then keys.
  for (const auto& p : string_list(j, "remove_paths", c)) std::erase(d->paths, p);
  if (clear_paths) d->paths.clear();
  const auto parent_paths = paths(parent_name);
  for (const auto& p : string_list(j, "add_paths", c)) {
    if (!std::any_of(parent_paths.begin(), parent_paths.end(),
                     [&](const std::string& a) { return has_prefix(p, a); }))
      throw change_error(
          c, fmt::format("path \"{}\" is outside what {} may delegate", p, parent_name));
    if (std::find(d->paths.begin(), d->paths.end(), p) == d->paths.end()) d->paths.push_back(p);
  }
  const auto remove = string_list(j, "remove_keys", c);
  const std::set<std::string> remove_ids(remove.begin(), remove.end());
  std::erase_if(d->keyids, [&](const std::string& id) {
    auto k = parent.keys.find(id);
    return remove_ids.count(id) ||
           (k != parent.keys.end() && remove_ids.count(canonical_key_id(k->second)));
  });
  if (auto add = j.find("add_keys"); add != j.end() && !add->is_null()) {
    if (!add->is_array()) throw change_error(c, "\"add_keys\" is not a list");
    for (const auto& kj : *add) {
      PublicKey key;
      try {
        key = PublicKey::from_json(kj);
      } catch (const Error& e) {
        throw change_error(c, e.what());
      }
      const std::string id = key.id();
      parent.keys[id] = key;
      if (std::find(d->keyids.begin(), d->keyids.end(), id) == d->keyids.end())
        d->keyids.push_back(id);
    }
  }
  d->keyids_null = false;
  prune_unused_keys(parent);
  parent.dirty = true;
  if (roles_.count(c.role)) paths_[c.role] = paths(c.role);
}

void RepoEditor::rotate_base_key(const std::string& role, const PublicKey& new_key) {
  if (role != "targets" && role != "snapshot" && role != "timestamp")
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the {} key cannot be rotated here (only targets, snapshot and "
                            "timestamp keys)",
                            role));
  json& sj = root_.file.signed_json;
  const std::string id = new_key.id();
  sj["keys"][id] = new_key.to_json();
  sj["roles"][role] = {{"keyids", {id}}, {"threshold", 1}};
  std::set<std::string> used;
  for (const auto& [name, r] : sj["roles"].items())
    for (const auto& k : r.value("keyids", json::array())) used.insert(k.get<std::string>());
  std::vector<std::string> unused;
  for (const auto& [kid, key] : sj["keys"].items()) {
    const std::string type = key.value("keytype", "");
    if (!used.count(kid) && type != "ecdsa-x509" && type != "rsa-x509") unused.push_back(kid);
  }
  for (const auto& kid : unused) sj["keys"].erase(kid);
  root_.keys.clear();
  for (const auto& [kid, key] : sj["keys"].items())
    root_.keys.emplace(kid, PublicKey::from_json(key));
  root_.roles[role] = RoleKeys{{id}, 1};
  root_dirty_ = true;
  if (role == "targets") editable("targets").dirty = true;
}

void RepoEditor::rotate_root_key(const PublicKey& new_root) {
  if (new_root.type != "ecdsa-x509" && new_root.type != "rsa-x509")
    throw Error(
        ErrorCode::invalid_argument,
        fmt::format("a root key must be listed as a certificate, not as a {} key", new_root.type));
  const RoleSigners current = signers("root");
  const std::string canonical = canonical_key_id(new_root);
  for (const auto& id : current.canonical_ids())
    if (id == canonical)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("the key {} is the root key of {} already", canonical, gun_),
                  "rotate to a new key, or to another existing root key");
  if (!previous_root_) previous_root_ = current;
  json& sj = root_.file.signed_json;
  const std::string id = new_root.id();
  sj["keys"][id] = new_root.to_json();
  sj["roles"]["root"] = {{"keyids", {id}}, {"threshold", 1}};
  root_.keys[id] = new_root;
  root_.roles["root"] = RoleKeys{{id}, 1};
  root_dirty_ = true;
}

void RepoEditor::sign_root(KeyProvider& keys, TimePoint now) {
  json sj = root_.file.signed_json;
  sj["version"] = root_.file.version + 1;
  sj["expires"] = format_rfc3339_nano(now + kRootExpiry);
  std::vector<SigningKey> signing;
  std::set<std::string> listed;
  // Enough held keys of `s` for its threshold, or no_signing_key.
  auto sign_with = [&](const RoleSigners& s, const char* which) {
    int held = 0;
    for (const auto& [id, pub] : s.keys) {
      const std::string canonical = canonical_key_id(pub);
      if (!keys.has(canonical)) continue;
      ++held;
      if (listed.insert(id).second) signing.push_back({id, &keys.get(canonical, "root")});
    }
    if (held == 0 || held < s.threshold)
      throw Error(ErrorCode::no_signing_key,
                  fmt::format("cannot sign the root of {}: it needs {} of its {}root keys ({}) "
                              "and this trust dir holds {}",
                              gun_, s.threshold, which, short_ids(s.canonical_ids()), held),
                  previous_root_ ? "a root rotation needs the current root key, to vouch for "
                                   "the new one"
                                 : "key rotation needs the repository owner's root key");
  };
  sign_with(signers("root"), previous_root_ ? "new " : "");
  if (previous_root_) sign_with(*previous_root_, "current ");
  root_ = Root::parse(SignedFile::parse(sign_metadata(sj, signing), "root"));
}

bool RepoEditor::snapshot_signed_locally(KeyProvider& keys) const {
  return can_sign("snapshot", keys);
}

bool RepoEditor::has_changes() const {
  return initial_ || root_dirty_ || !deleted_.empty() ||
         std::any_of(roles_.begin(), roles_.end(), [](const auto& r) { return r.second.dirty; });
}

std::vector<RepoFile> RepoEditor::sign(KeyProvider& keys, TimePoint now) {
  std::vector<RepoFile> files;
  if (root_dirty_) sign_root(keys, now);
  if (initial_ || root_dirty_) files.push_back({"root", root_.file.raw});
  const std::string targets_expiry = format_rfc3339_nano(now + kTargetsExpiry);
  for (auto& [name, t] : roles_) {
    if (!t.dirty) continue;
    const RoleSigners s = signers(name);
    std::vector<SigningKey> signing;
    std::set<std::string> seen;
    for (const auto& [id, pub] : s.keys) {
      const std::string canonical = canonical_key_id(pub);
      if (!keys.has(canonical) || !seen.insert(canonical).second) continue;
      signing.push_back({id, &keys.get(canonical, name)});
    }
    if (s.keys.empty() || static_cast<int>(signing.size()) < s.threshold)
      throw Error(
          ErrorCode::no_signing_key,
          fmt::format("cannot sign {} of {}: it needs {} of its keys ({}) and the private "
                      "key store holds {}",
                      name, gun_, s.threshold, short_ids(s.canonical_ids()), signing.size()));
    files.push_back(
        {name, sign_metadata(t.to_signed_json(t.version + 1, targets_expiry), signing)});
    t.version += 1;
    t.dirty = false;
  }
  if (snapshot_signed_locally(keys)) {
    std::map<std::string, FileMeta> meta;
    if (snapshot_) meta = snapshot_->meta;
    for (const auto& role : deleted_) meta.erase(role);
    meta["root"] = file_meta_of(root_.file.raw);
    for (const auto& f : files) meta[f.role] = file_meta_of(f.bytes);
    json meta_json = json::object();
    for (const auto& [role, m] : meta) meta_json[role] = m.to_json();
    const long long version = snapshot_ ? snapshot_->file.version + 1 : 1;
    json snapshot = {{"_type", "Snapshot"},
                     {"expires", format_rfc3339_nano(now + kSnapshotExpiry)},
                     {"meta", std::move(meta_json)},
                     {"version", version}};
    const RoleSigners s = signers("snapshot");
    std::vector<SigningKey> signing;
    for (const auto& [id, pub] : s.keys)
      if (keys.has(canonical_key_id(pub)))
        signing.push_back({id, &keys.get(canonical_key_id(pub), "snapshot")});
    std::string bytes = sign_metadata(snapshot, signing);
    snapshot_ = Snapshot::parse(SignedFile::parse(bytes, "snapshot"));
    files.push_back({"snapshot", std::move(bytes)});
  }
  initial_ = false;
  root_dirty_ = false;
  previous_root_.reset();
  deleted_.clear();
  return files;
}

}  // namespace dct::trust
