#include "plugin/expiry_notice.h"

#include <fmt/format.h>

#include "trust/crypto/key_store.h"
#include "trust/crypto/keys.h"

namespace dct::plugin {

bool snapshot_key_held(const trust::Root& root, const std::filesystem::path& trust_dir) {
  trust::KeyStore store(trust_dir);
  for (const auto& id : root.role("snapshot").keyids)
    if (auto key = root.keys.find(id);
        key != root.keys.end() && store.has(trust::canonical_key_id(key->second)))
      return true;
  return false;
}

std::string expiry_sentence(const trust::ExpiryItem& item, trust::TimePoint now,
                            const std::string& gun) {
  std::string what = item.kind == "role" ? item.role
                                         : fmt::format("the certificate of key {} ({})",
                                                       item.key_id.substr(0, 12), item.role);
  if (!gun.empty()) what += " of " + gun;
  if (!item.expires) return fmt::format("{}: {}", what, item.failure);
  return fmt::format("{} {} on {}", what, *item.expires <= now ? "expired" : "expires",
                     trust::format_human(*item.expires));
}

std::string renewal_hint(const trust::ExpiryItem& item) {
  if (item.kind == "certificate")
    return item.role == "root" ? "rotate the root key (notary key rotate GUN root)"
                               : "give the signer a new certificate (docker dct key generate, "
                                 "then docker dct delegation add)";
  if (item.role == "root") return "a root key holder must sign a new root (docker dct key rotate)";
  return "a holder of its key must sign it again (docker dct sign)";
}

void add_expiry_warnings(RepositoryClient& client, trust::TrustedRepository& repo) {
  const auto now = std::chrono::system_clock::now();
  auto report = trust::analyse_expiry(
      repo, {.snapshot_key_local = snapshot_key_held(repo.root, client.trust_dir())});
  for (const auto& item : report.items) {
    // Roles that already failed verification are errors or warnings of their own.
    if (!item.expires || !item.fails(now, kExpiryWarningWindow)) continue;
    // Only what this command relied on: base roles and the delegations it loaded.
    bool base = item.role == "root" || item.role == "snapshot" || item.role == "timestamp";
    if (!base && !repo.role(item.role)) continue;
    std::string warning =
        fmt::format("{}: {}", expiry_sentence(item, now, repo.gun), renewal_hint(item));
    if (client.session().first_notice(warning)) repo.warnings.push_back(warning);
  }
}

}  // namespace dct::plugin
