#include "trust/formats/metadata.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/encoding.h"
#include "base/errors.h"
#include "trust/formats/canonical_json.h"
#include "trust/formats/go_base64.h"

namespace dct::trust {
namespace {

using nlohmann::json;

[[noreturn]] void malformed(const std::string& where, const std::string& what) {
  throw Error(ErrorCode::malformed_metadata, fmt::format("{}: {}", where, what));
}

const json& member(const json& obj, const char* name, const std::string& where) {
  auto it = obj.find(name);
  if (it == obj.end()) malformed(where, fmt::format("missing \"{}\"", name));
  return *it;
}

long long integer(const json& v, const std::string& where, const char* name) {
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d))) return static_cast<long long>(d);
  }
  malformed(where, fmt::format("\"{}\" must be an integer", name));
}

std::string string_of(const json& v, const std::string& where, const char* name) {
  if (!v.is_string()) malformed(where, fmt::format("\"{}\" must be a string", name));
  return v.get<std::string>();
}

std::vector<std::string> string_list(const json& v, const std::string& where, const char* name,
                                     bool* was_null = nullptr) {
  std::vector<std::string> out;
  if (v.is_null()) {
    if (was_null) *was_null = true;
    return out;
  }
  if (!v.is_array()) malformed(where, fmt::format("\"{}\" must be a list", name));
  for (const auto& e : v) out.push_back(string_of(e, where, name));
  return out;
}

std::map<std::string, PublicKey> parse_keys(const json& v, const std::string& where) {
  std::map<std::string, PublicKey> keys;
  if (v.is_null()) return keys;
  if (!v.is_object()) malformed(where, "\"keys\" must be an object");
  for (const auto& [id, key_json] : v.items()) {
    PublicKey key = PublicKey::from_json(key_json);
    // A key listed under an ID that is not its own could smuggle signatures; refuse early.
    if (key.id() != id)
      throw Error(ErrorCode::key_id_mismatch,
                  fmt::format("{}: key listed as {} has the ID {}", where, id, key.id()));
    keys.emplace(id, std::move(key));
  }
  return keys;
}

void expect_type(const SignedFile& f, const char* type, const std::string& where) {
  if (f.type != type)
    throw Error(ErrorCode::wrong_type,
                fmt::format("{}: expected metadata of type {}, got \"{}\"", where, type, f.type));
}

std::map<std::string, FileMeta> parse_meta_map(const json& v, const std::string& where) {
  if (!v.is_object()) malformed(where, "\"meta\" must be an object");
  std::map<std::string, FileMeta> out;
  for (const auto& [name, m] : v.items())
    out.emplace(name, FileMeta::from_json(m, fmt::format("{} entry \"{}\"", where, name)));
  return out;
}

void require_sha256(const FileMeta& m, const std::string& where) {
  auto it = m.hashes.find("sha256");
  if (it == m.hashes.end()) malformed(where, "no sha256 hash");
  if (it->second.size() != 32) malformed(where, "sha256 hash has the wrong length");
  auto it512 = m.hashes.find("sha512");
  if (it512 != m.hashes.end() && it512->second.size() != 64)
    malformed(where, "sha512 hash has the wrong length");
}

}  // namespace

SignedFile SignedFile::parse(std::string raw, const std::string& role_label) {
  SignedFile f;
  json doc = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) malformed(role_label, "not valid JSON");
  if (!doc.is_object()) malformed(role_label, "not a JSON object");
  json& sig = doc["signed"];
  if (sig.is_null()) malformed(role_label, "missing \"signed\"");
  if (!sig.is_object()) malformed(role_label, "\"signed\" must be an object");
  const json& sigs = member(doc, "signatures", role_label);
  if (!sigs.is_array() && !sigs.is_null()) malformed(role_label, "\"signatures\" must be a list");
  if (sigs.is_array()) {
    for (const auto& s : sigs) {
      if (!s.is_object()) malformed(role_label, "signature entry must be an object");
      Signature out;
      out.keyid = string_of(member(s, "keyid", role_label), role_label, "keyid");
      out.method = normalize_signature_method(
          string_of(member(s, "method", role_label), role_label, "method"));
      // Go's JSON decoder reads []byte with base64.StdEncoding: CR/LF skipped, loose tail bits.
      auto decoded = go_base64_decode(string_of(member(s, "sig", role_label), role_label, "sig"));
      if (!decoded) malformed(role_label, "signature is not valid base64");
      out.signature = std::move(*decoded);
      f.signatures.push_back(std::move(out));
    }
  }
  f.type = string_of(member(sig, "_type", role_label), role_label, "_type");
  f.version = integer(member(sig, "version", role_label), role_label, "version");
  if (f.version < 1) malformed(role_label, "version must be at least 1");
  f.expires_text = string_of(member(sig, "expires", role_label), role_label, "expires");
  auto exp = parse_rfc3339(f.expires_text);
  if (!exp) malformed(role_label, fmt::format("invalid expiry \"{}\"", f.expires_text));
  f.expires = *exp;
  f.canonical = canonical_json(sig);
  f.signed_json = std::move(sig);  // a large targets file is not copied
  f.raw = std::move(raw);
  return f;
}

FileMeta FileMeta::from_json(const json& j, const std::string& where) {
  if (!j.is_object()) malformed(where, "file meta must be an object");
  FileMeta m;
  m.length = integer(member(j, "length", where), where, "length");
  if (m.length < 0) malformed(where, "negative length");
  const json& hashes = member(j, "hashes", where);
  if (!hashes.is_object()) malformed(where, "\"hashes\" must be an object");
  for (const auto& [alg, value] : hashes.items()) {
    auto raw = base64_decode(string_of(value, where, "hashes"));
    if (!raw) malformed(where, fmt::format("{} hash is not valid base64", alg));
    m.hashes.emplace(alg, std::move(*raw));
  }
  if (auto it = j.find("custom"); it != j.end() && !it->is_null()) m.custom = *it;
  return m;
}

json FileMeta::to_json() const {
  json j = json::object();
  if (custom) j["custom"] = *custom;
  json h = json::object();
  for (const auto& [alg, raw] : hashes) h[alg] = base64_encode(raw);
  j["hashes"] = h;
  j["length"] = length;
  return j;
}

const std::string* FileMeta::listed_hash(const std::string& alg) const {
  auto it = hashes.find(alg);
  return it == hashes.end() ? nullptr : &it->second;
}

std::optional<std::string> FileMeta::sha256() const {
  auto it = hashes.find("sha256");
  if (it == hashes.end() || it->second.size() != 32) return std::nullopt;
  return it->second;
}

Root Root::parse(SignedFile file) {
  const std::string where = "root";
  expect_type(file, "Root", where);
  Root r;
  const json& s = file.signed_json;
  if (auto it = s.find("consistent_snapshot"); it != s.end()) {
    if (!it->is_boolean()) malformed(where, "\"consistent_snapshot\" must be a boolean");
    r.consistent_snapshot = it->get<bool>();
  }
  r.keys = parse_keys(member(s, "keys", where), where);
  const json& roles = member(s, "roles", where);
  if (!roles.is_object()) malformed(where, "\"roles\" must be an object");
  for (const auto& [name, role] : roles.items()) {
    if (!role.is_object()) malformed(where, fmt::format("role \"{}\" must be an object", name));
    RoleKeys rk;
    rk.keyids = string_list(member(role, "keyids", where), where, "keyids");
    long long t = integer(member(role, "threshold", where), where, "threshold");
    if (t < 1 || t > 1000) malformed(where, fmt::format("role {} has threshold {}", name, t));
    rk.threshold = static_cast<int>(t);
    for (const auto& id : rk.keyids)
      if (!r.keys.count(id))
        malformed(where, fmt::format("role {} lists key {} that root does not define", name, id));
    r.roles.emplace(name, std::move(rk));
  }
  for (const char* base : {"root", "targets", "snapshot", "timestamp"})
    if (!r.roles.count(base)) malformed(where, fmt::format("the {} role is missing", base));
  r.file = std::move(file);
  return r;
}

const RoleKeys& Root::role(const std::string& name) const { return roles.at(name); }

Targets Targets::parse(SignedFile file, const std::string& role_name) {
  const std::string& where = role_name;
  expect_type(file, "Targets", where);
  Targets t;
  t.role_name = role_name;
  const json& s = file.signed_json;
  const json& targets = member(s, "targets", where);
  if (!targets.is_object() && !targets.is_null()) malformed(where, "\"targets\" must be an object");
  if (targets.is_object())
    for (const auto& [name, m] : targets.items())
      t.targets.emplace(name, FileMeta::from_json(m, fmt::format("{} target \"{}\"", where, name)));
  if (auto it = s.find("delegations"); it != s.end() && !it->is_null()) {
    if (!it->is_object()) malformed(where, "\"delegations\" must be an object");
    if (auto k = it->find("keys"); k != it->end()) t.delegation_keys = parse_keys(*k, where);
    if (auto roles = it->find("roles"); roles != it->end() && !roles->is_null()) {
      if (!roles->is_array()) malformed(where, "delegation roles must be a list");
      std::set<std::string> seen;
      for (const auto& role : *roles) {
        if (!role.is_object()) malformed(where, "delegation role must be an object");
        DelegationRole d;
        d.name = string_of(member(role, "name", where), where, "name");
        if (!is_valid_delegation_name(d.name))
          throw Error(ErrorCode::delegation_invalid,
                      fmt::format("{} delegates to an invalid role name \"{}\"", where, d.name));
        if (parent_role(d.name) != role_name)
          throw Error(
              ErrorCode::delegation_invalid,
              fmt::format("{} delegates to {}, which is not its direct child", where, d.name));
        if (!seen.insert(d.name).second)
          throw Error(ErrorCode::delegation_invalid,
                      fmt::format("{} delegates to {} twice", where, d.name));
        d.keyids = string_list(member(role, "keyids", where), where, "keyids", &d.keyids_null);
        long long th = integer(member(role, "threshold", where), where, "threshold");
        if (th < 1 || th > 1000)
          malformed(where, fmt::format("delegation {} has threshold {}", d.name, th));
        d.threshold = static_cast<int>(th);
        if (auto p = role.find("paths"); p != role.end()) d.paths = string_list(*p, where, "paths");
        for (const auto& id : d.keyids)
          if (!t.delegation_keys.count(id))
            throw Error(ErrorCode::delegation_invalid,
                        fmt::format("{}: delegation {} lists key {} that is not defined", where,
                                    d.name, id));
        t.delegations.push_back(std::move(d));
      }
    }
  }
  t.file = std::move(file);
  return t;
}

const DelegationRole* Targets::find_delegation(const std::string& name) const {
  for (const auto& d : delegations)
    if (d.name == name) return &d;
  return nullptr;
}

Snapshot Snapshot::parse(SignedFile file) {
  const std::string where = "snapshot";
  expect_type(file, "Snapshot", where);
  Snapshot s;
  s.meta = parse_meta_map(member(file.signed_json, "meta", where), where);
  for (const char* required : {"root", "targets"}) {
    auto it = s.meta.find(required);
    if (it == s.meta.end()) malformed(where, fmt::format("no entry for {}", required));
  }
  for (const auto& [name, m] : s.meta) {
    if (name != "root" && !is_valid_role_name(name))
      throw Error(ErrorCode::delegation_invalid,
                  fmt::format("snapshot lists an invalid role name \"{}\"", name));
    require_sha256(m, fmt::format("snapshot entry \"{}\"", name));
  }
  s.file = std::move(file);
  return s;
}

Timestamp Timestamp::parse(SignedFile file) {
  const std::string where = "timestamp";
  expect_type(file, "Timestamp", where);
  Timestamp t;
  auto meta = parse_meta_map(member(file.signed_json, "meta", where), where);
  auto it = meta.find("snapshot");
  if (it == meta.end()) malformed(where, "no entry for snapshot");
  require_sha256(it->second, "timestamp entry \"snapshot\"");
  t.snapshot = it->second;
  t.file = std::move(file);
  return t;
}

bool is_valid_delegation_name(const std::string& name) {
  if (name.size() >= 256 || name.rfind("targets/", 0) != 0 || name.size() == 8) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '/'))
      return false;
  // Path-clean: no empty, "." or ".." segments, no trailing slash.
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    std::string_view seg(name.data() + start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return true;
}

bool is_valid_role_name(const std::string& name) {
  return name == "root" || name == "targets" || name == "snapshot" || name == "timestamp" ||
         is_valid_delegation_name(name);
}

std::string parent_role(const std::string& delegation) {
  auto pos = delegation.rfind('/');
  return pos == std::string::npos ? std::string() : delegation.substr(0, pos);
}

}  // namespace dct::trust
