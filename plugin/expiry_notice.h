#pragma once
// Saying what expires and what renews it: the lines of `dct check` and the warnings every
// command that reads trust data gives, once per run, for what it relied on.
#include <chrono>
#include <filesystem>
#include <string>

#include "plugin/trust_client.h"
#include "trust/tuf/expiry.h"

namespace dct::plugin {

// A local key of the trust dir signs the snapshot (else the notary server renews it).
bool snapshot_key_held(const trust::Root& root, const std::filesystem::path& trust_dir);

// "targets/releases expires on …", "the certificate of key 1a2b… (root) expired on …";
// with a GUN: "targets/releases of GUN expires on …".
std::string expiry_sentence(const trust::ExpiryItem& item, trust::TimePoint now,
                            const std::string& gun = {});
// What to run so that it does not expire.
std::string renewal_hint(const trust::ExpiryItem& item);

// Warns (into repo.warnings, each once per run) about every loaded role and certificate of
// `repo` that expires within 7 days and that the server does not renew on its own.
inline constexpr std::chrono::hours kExpiryWarningWindow{24 * 7};
void add_expiry_warnings(RepositoryClient& client, trust::TrustedRepository& repo);

}  // namespace dct::plugin
