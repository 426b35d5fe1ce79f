#pragma once
// When a repository's trust data stops working: the expiry of every verified role and of every
// certificate its keys carry, delegations that can no longer meet their threshold, and the
// tags that lose trust when each of those expires. Pure logic over verified metadata
// (Updater::update and load_all); `docker dct check` renders it.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "trust/formats/time.h"
#include "trust/tuf/updater.h"

namespace dct::trust {

enum class ExpiryStatus { valid, expiring, expired };
std::string_view status_name(ExpiryStatus status);  // "valid", "expiring", "expired"

struct ExpiryItem {
  std::string kind;                  // "role" or "certificate"
  std::string role;                  // the role, or the role whose keys list the certificate
  std::string key_id;                // certificates: the key ID as the metadata lists it
  std::optional<TimePoint> expires;  // unset when only a verification failure is known
  std::string failure;               // why the role failed verification (expired delegations)
  // Renewed by the notary server on its own (timestamp; snapshot when no local key signs it):
  // shown, never held against the repository.
  bool server_managed = false;
  std::vector<std::string> tags;  // trusted tags that lose trust when this expires

  ExpiryStatus status(TimePoint now, std::chrono::seconds within) const;
  // Whether `check` fails over it: expired or expiring within the window, not server-managed.
  bool fails(TimePoint now, std::chrono::seconds within) const;
};

struct UnderThreshold {
  std::string role;
  int threshold = 1;
  std::size_t usable_keys = 0;  // listed key IDs that the parent actually declares
};

struct ExpiryReport {
  std::vector<std::string> trusted_tags;  // tags a pull trusts now, natural order
  std::vector<ExpiryItem> items;          // roles then certificates, soonest expiry first
  std::vector<UnderThreshold> under_threshold;
};

struct ExpiryFacts {
  // The snapshot key is held locally (so the owner, not the server, re-signs the snapshot).
  bool snapshot_key_local = false;
};

// `repo` must have its delegation tree loaded (Updater::load_all).
ExpiryReport analyse_expiry(const TrustedRepository& repo, const ExpiryFacts& facts);

}  // namespace dct::trust
