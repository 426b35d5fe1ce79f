#pragma once
// The Notary/TUF metadata model: the signed envelope and the four base roles plus delegated
// targets roles. Parsing is strict: anything notary would not write is refused with
// dct::Error(malformed_metadata / wrong_type) before a single signature is looked at.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "trust/formats/public_key.h"
#include "trust/formats/time.h"

namespace dct::trust {

// Size caps applied before parsing (notary's limits, section 6.5 of the protocol notes).
inline constexpr std::size_t kMaxRootSize = 100u << 20;
// A root rotation walk: at most this many versions at once, and this many bytes of
// intermediate roots in all (notary's roots are a few KiB each).
inline constexpr long long kMaxRootLinks = 256;
inline constexpr std::size_t kMaxRootChainBytes = 16u << 20;
inline constexpr std::size_t kMaxTimestampSize = 1u << 20;
// Cap for files whose length is not known from a parent (speculative fetches).
inline constexpr std::size_t kMaxUnknownSize = 100u << 20;

struct Signature {
  std::string keyid;
  std::string method;     // lower-cased
  std::string signature;  // raw bytes
};

// A parsed metadata file: the raw bytes as served, the "signed" JSON and its canonical bytes.
struct SignedFile {
  std::string raw;
  nlohmann::json signed_json;
  std::string canonical;  // canonical_json(signed_json): what signatures cover
  std::vector<Signature> signatures;
  std::string type;  // "_type"
  long long version = 0;
  std::string expires_text;
  TimePoint expires;

  // role_label names the file in error messages, e.g. "targets/releases".
  static SignedFile parse(std::string raw, const std::string& role_label);
};

struct RoleKeys {
  std::vector<std::string> keyids;
  int threshold = 1;
};

struct FileMeta {
  long long length = 0;
  std::map<std::string, std::string> hashes;  // algorithm -> raw digest bytes
  std::optional<nlohmann::json> custom;

  static FileMeta from_json(const nlohmann::json& j, const std::string& where);
  nlohmann::json to_json() const;  // as notary writes it
  std::optional<std::string> sha256() const;
  // The digest listed under `alg` ("sha256", "sha512"), or nullptr.
  const std::string* listed_hash(const std::string& alg) const;
};

struct DelegationRole {
  std::string name;
  std::vector<std::string> keyids;
  int threshold = 1;
  std::vector<std::string> paths;
  bool keyids_null = false;  // notary writes null after removing every key
};

struct Root {
  SignedFile file;
  bool consistent_snapshot = false;
  std::map<std::string, PublicKey> keys;
  std::map<std::string, RoleKeys> roles;  // root, targets, snapshot, timestamp (+ extras)

  static Root parse(SignedFile file);
  const RoleKeys& role(const std::string& name) const;
};

struct Targets {
  SignedFile file;
  std::string role_name;
  std::map<std::string, FileMeta> targets;
  std::map<std::string, PublicKey> delegation_keys;
  std::vector<DelegationRole> delegations;

  static Targets parse(SignedFile file, const std::string& role_name);
  const DelegationRole* find_delegation(const std::string& name) const;
};

struct Snapshot {
  SignedFile file;
  std::map<std::string, FileMeta> meta;

  static Snapshot parse(SignedFile file);
};

struct Timestamp {
  SignedFile file;
  FileMeta snapshot;

  static Timestamp parse(SignedFile file);
};

// Delegation names as notary accepts them: "targets/" prefix, [-a-z0-9_/], shorter than 256,
// path-clean. Checked before a name ever becomes part of a file path or URL.
bool is_valid_delegation_name(const std::string& name);
bool is_valid_role_name(const std::string& name);  // base roles or a valid delegation
std::string parent_role(const std::string& delegation);

}  // namespace dct::trust
