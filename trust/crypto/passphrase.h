#pragma once
// Asking for private key passphrases (protocol notes 5). trust/ only states the question; how it
// is answered (environment variables, a terminal, a test) is up to the caller.
#include <map>
#include <string>
#include <vector>

#include "base/wipe.h"

namespace dct::trust {

struct PassphraseRequest {
  std::string key_id;       // the canonical key ID (the key file name)
  std::string role;         // the key file's "role" header, or the role the new key is for
  std::string gun;          // the repository, when known (empty for root and delegation keys)
  bool create_new = false;  // a passphrase for a key about to be written
  int attempt = 0;          // 0 on the first request for this key, then 1, 2... after failures
};

class PassphraseRetriever {
 public:
  virtual ~PassphraseRetriever();
  // The passphrase, or throws dct::Error (for example when there is nobody to ask, or when a
  // passphrase that cannot change, such as an environment variable's, was already wrong).
  virtual Secret get(const PassphraseRequest& request) = 0;
};

// Fixed answers, for tests and for callers that already hold the passphrase: one passphrase for
// every role, or one per role with an optional fallback. Every request is recorded.
class FixedPassphrase final : public PassphraseRetriever {
 public:
  explicit FixedPassphrase(std::string passphrase);
  // Roles missing from `by_role` get `fallback`; without one the request throws
  // dct::Error(passphrase_required).
  explicit FixedPassphrase(std::map<std::string, std::string> by_role, std::string fallback = {});
  ~FixedPassphrase() override;
  FixedPassphrase(const FixedPassphrase&) = delete;
  FixedPassphrase& operator=(const FixedPassphrase&) = delete;

  Secret get(const PassphraseRequest& request) override;
  const std::vector<PassphraseRequest>& requests() const noexcept { return requests_; }

 private:
  std::map<std::string, std::string> by_role_;
  std::string fallback_;
  bool has_fallback_ = false;
  std::vector<PassphraseRequest> requests_;
};

}  // namespace dct::trust
