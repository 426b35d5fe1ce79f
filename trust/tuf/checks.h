#pragma once
// The checks every metadata file passes before it is trusted (TUF 5.3-5.6): signatures against
// a role's keys and threshold, hash and length against what the parent lists, expiry.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "trust/formats/metadata.h"
#include "trust/formats/time.h"

namespace dct::trust {

// The threshold check of notary's VerifySignatures, counting distinct valid keys (key IDs that
// name the same key count once; see key_identity).
// Throws signature_invalid / threshold_not_met / key_id_mismatch with role_label in the text.
struct VerifyOutcome {
  int valid = 0;
  std::vector<std::string> valid_ids;  // sorted
};
VerifyOutcome verify_signatures(const SignedFile& file,
                                const std::map<std::string, PublicKey>& keys, const RoleKeys& role,
                                const std::string& role_label);

// The same threshold check for signatures verified before, on the very same bytes:
// `valid_ids` (VerifyOutcome::valid_ids then) count as verify_signatures counts them, with the
// keys and threshold in force now. Throws threshold_not_met / key_id_mismatch.
void check_verified_signers(const std::vector<std::string>& valid_ids,
                            const std::map<std::string, PublicKey>& keys, const RoleKeys& role,
                            const std::string& role_label);

// Hash and length of `bytes` against what a parent lists. Throws hash_mismatch/length_mismatch.
// A large file's SHA-256 and SHA-512 are computed on two threads unless the caller already
// keeps the other core busy.
enum class Hashing { side_by_side, one_after_another };
// Files at least this large are worth a second thread (starting one costs about 50
// microseconds; hashing 256 KiB with SHA-512 about 350).
inline constexpr std::size_t kParallelCheckSize = 256 * 1024;
void check_file_meta(const FileMeta& expected, const std::string& bytes,
                     const std::string& role_label, const std::string& parent_label,
                     Hashing hashing = Hashing::side_by_side);

// Throws expired when `file` is past its expiry at `now`.
void check_not_expired(const SignedFile& file, TimePoint now, const std::string& role_label);

}  // namespace dct::trust
