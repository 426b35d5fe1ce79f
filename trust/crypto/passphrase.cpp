#include "trust/crypto/passphrase.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace dct::trust {

PassphraseRetriever::~PassphraseRetriever() = default;

FixedPassphrase::FixedPassphrase(std::string passphrase)
    : fallback_(std::move(passphrase)), has_fallback_(true) {}

FixedPassphrase::FixedPassphrase(std::map<std::string, std::string> by_role, std::string fallback)
    : by_role_(std::move(by_role)),
      fallback_(std::move(fallback)),
      has_fallback_(!fallback_.empty()) {}

FixedPassphrase::~FixedPassphrase() {
  for (auto& [role, passphrase] : by_role_) wipe(passphrase);
  wipe(fallback_);
}

Secret FixedPassphrase::get(const PassphraseRequest& request) {
  requests_.push_back(request);
  if (auto it = by_role_.find(request.role); it != by_role_.end()) return Secret(it->second);
  if (has_fallback_) return Secret(fallback_);
  throw Error(ErrorCode::passphrase_required,
              fmt::format("no passphrase for the {} key {}", request.role, request.key_id));
}

}  // namespace dct::trust
