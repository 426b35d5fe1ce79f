#include "trust/publish/signing_keys.h"

namespace dct::trust {

SigningKeys::SigningKeys(const std::filesystem::path& trust_dir, PassphraseRetriever& passphrases)
    : store_(trust_dir), passphrases_(passphrases) {}

bool SigningKeys::has(const std::string& canonical_id) {
  if (created_.count(canonical_id)) return true;
  // Asked once per staged change: list the store once, not for every question.
  if (!held_) {
    held_.emplace();
    for (const auto& k : store_.list()) held_->insert(k.id);
  }
  return held_->count(canonical_id) > 0;
}

const PrivateKey& SigningKeys::get(const std::string& canonical_id, const std::string&) {
  if (auto it = created_.find(canonical_id); it != created_.end()) return it->second;
  return store_.load(canonical_id, passphrases_);
}

std::vector<KeyEntry> SigningKeys::list() const { return store_.list(); }

std::optional<std::string> SigningKeys::root_key_id() const {
  auto roots = store_.find_role("root");
  if (roots.empty()) return std::nullopt;
  return roots.front().id;
}

const PrivateKey& SigningKeys::create(const std::string& role, const std::string& gun) {
  PrivateKey key = PrivateKey::generate();
  const std::string id = store_.add(key, role, gun, passphrases_);
  return created_.emplace(id, std::move(key)).first->second;
}

}  // namespace dct::trust
