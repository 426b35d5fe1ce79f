#include "trust/tuf/checks.h"

#include <fmt/format.h>

#include <set>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/run_beside.h"
#include "trust/crypto/keys.h"

namespace dct::trust {
namespace {

// A threshold counts keys, not key IDs: one key listed under several IDs (a bare key and a
// certificate wrapping it, two certificates for it) signs once.
std::string distinct_key(const PublicKey& key, const std::string& id) {
  return key_identity(key).value_or("id " + id);
}

std::string alias_note(std::size_t ids, std::size_t keys) {
  return ids > keys ? fmt::format(" (its {} valid key IDs name only {} distinct key{})", ids, keys,
                                  keys == 1 ? "" : "s")
                    : std::string();
}

Error key_id_mismatch(const std::string& role_label, const std::string& id) {
  return Error(ErrorCode::key_id_mismatch,
               fmt::format("{}: signature key ID {} does not match its key", role_label, id));
}

}  // namespace

VerifyOutcome verify_signatures(const SignedFile& file,
                                const std::map<std::string, PublicKey>& keys, const RoleKeys& role,
                                const std::string& role_label) {
  if (file.signatures.empty())
    throw Error(ErrorCode::threshold_not_met, fmt::format("{} has no signatures", role_label));
  std::set<std::string> role_ids(role.keyids.begin(), role.keyids.end());
  std::set<std::string> valid_keys;
  std::set<std::string> valid_ids;
  int invalid = 0;
  for (const auto& sig : file.signatures) {
    if (!role_ids.count(sig.keyid)) continue;  // not a key of this role: ignored
    auto it = keys.find(sig.keyid);
    if (it == keys.end()) continue;
    if (it->second.id() != sig.keyid) throw key_id_mismatch(role_label, sig.keyid);
    if (verify_signature(it->second, sig.method, file.canonical, sig.signature)) {
      valid_ids.insert(sig.keyid);
      valid_keys.insert(distinct_key(it->second, sig.keyid));
    } else {
      ++invalid;
    }
  }
  int count = static_cast<int>(valid_keys.size());
  if (count < role.threshold) {
    const std::string aliases = alias_note(valid_ids.size(), valid_keys.size());
    if (invalid > 0)
      throw Error(
          ErrorCode::signature_invalid,
          fmt::format("{} has {} invalid signature{} and only {} valid of the {} required{}",
                      role_label, invalid, invalid == 1 ? "" : "s", count, role.threshold,
                      aliases));
    throw Error(ErrorCode::threshold_not_met,
                fmt::format("{} is signed by {} valid key{}, {} required{}", role_label, count,
                            count == 1 ? "" : "s", role.threshold, aliases));
  }
  return {count, {valid_ids.begin(), valid_ids.end()}};
}

void check_verified_signers(const std::vector<std::string>& valid_ids,
                            const std::map<std::string, PublicKey>& keys, const RoleKeys& role,
                            const std::string& role_label) {
  std::set<std::string> role_ids(role.keyids.begin(), role.keyids.end());
  std::set<std::string> valid_keys;
  std::size_t counted_ids = 0;
  for (const auto& id : valid_ids) {
    if (!role_ids.count(id)) continue;  // no longer a key of this role
    auto it = keys.find(id);
    if (it == keys.end()) continue;
    if (it->second.id() != id) throw key_id_mismatch(role_label, id);
    valid_keys.insert(distinct_key(it->second, id));
    ++counted_ids;
  }
  const int count = static_cast<int>(valid_keys.size());
  if (count < role.threshold)
    throw Error(ErrorCode::threshold_not_met,
                fmt::format("{} is signed by {} valid key{}, {} required{}", role_label, count,
                            count == 1 ? "" : "s", role.threshold,
                            alias_note(counted_ids, valid_keys.size())));
}

void check_file_meta(const FileMeta& expected, const std::string& bytes,
                     const std::string& role_label, const std::string& parent_label,
                     Hashing hashing) {
  if (static_cast<long long>(bytes.size()) != expected.length)
    throw Error(ErrorCode::length_mismatch,
                fmt::format("{} is {} bytes long but {} says {}", role_label, bytes.size(),
                            parent_label, expected.length));
  const std::string* sha256_digest = expected.listed_hash("sha256");
  const std::string* sha512_digest = expected.listed_hash("sha512");
  if (!sha256_digest && !sha512_digest)
    throw Error(ErrorCode::hash_mismatch,
                fmt::format("{} lists no supported hash for {}", parent_label, role_label));
  auto check = [&](const char* alg, const std::string& actual, const std::string& digest) {
    if (actual != digest)
      throw Error(
          ErrorCode::hash_mismatch,
          fmt::format("{} does not match the {} hash listed in {}", role_label, alg, parent_label));
  };
  // Both hashes of a large file at once, on two cores.
  auto second = run_beside(sha256_digest && sha512_digest && hashing == Hashing::side_by_side &&
                               bytes.size() >= kParallelCheckSize,
                           [&] {
                             if (sha512_digest) check("sha512", sha512(bytes), *sha512_digest);
                           });
  if (sha256_digest) check("sha256", sha256(bytes), *sha256_digest);
  second.get();
}

void check_not_expired(const SignedFile& file, TimePoint now, const std::string& role_label) {
  if (file.expires <= now)
    throw Error(ErrorCode::expired,
                fmt::format("{} expired on {}", role_label, format_human(file.expires)));
}

}  // namespace dct::trust
