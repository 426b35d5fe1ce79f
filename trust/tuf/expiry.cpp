#include "trust/tuf/expiry.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "trust/crypto/x509.h"
#include "trust/tuf/inspect.h"
#include "trust/tuf/resolve.h"

namespace dct::trust {
namespace {

// The tags a pull trusts now, as resolve_tag decides: signed in targets/releases, else in
// targets, and never from targets what a failed targets/releases may sign.
std::vector<std::string> trusted_tags_of(const TrustedRepository& repo) {
  std::set<std::string> candidates;
  for (const char* role : {kReleasesRole, "targets"})
    if (const Targets* t = repo.role(role))
      for (const auto& [tag, meta] : t->targets)
        if (repo.path_allowed(role, tag)) candidates.insert(tag);
  std::vector<std::string> out;
  for (const auto& tag : candidates)
    if (!(repo.failure(kReleasesRole) && repo.declared_path_allowed(kReleasesRole, tag)))
      out.push_back(tag);
  std::sort(out.begin(), out.end(), natural_less);
  return out;
}

std::vector<std::string> tags_of_releases(const TrustedRepository& repo,
                                          const std::vector<std::string>& trusted) {
  std::vector<std::string> out;
  for (const auto& tag : trusted)
    if (repo.declared_path_allowed(kReleasesRole, tag)) out.push_back(tag);
  return out;
}

ExpiryItem role_item(const std::string& role, const SignedFile& file) {
  ExpiryItem item;
  item.kind = "role";
  item.role = role;
  item.expires = file.expires;
  return item;
}

// The certificates among the keys `ids` names in `keys`, listed for `role`.
std::vector<ExpiryItem> certificates_of(const std::string& role,
                                        const std::vector<std::string>& ids,
                                        const std::map<std::string, PublicKey>& keys) {
  std::vector<ExpiryItem> out;
  for (const auto& id : ids) {
    auto key = keys.find(id);
    if (key == keys.end() || !key->second.is_certificate()) continue;
    if (auto facts = certificate_facts(key->second.public_bytes)) {
      ExpiryItem item;
      item.kind = "certificate";
      item.role = role;
      item.key_id = id;
      item.expires = facts->not_after;
      out.push_back(item);
    }
  }
  return out;
}

// Root certificates: the root stops verifying once fewer unexpired ones than the threshold
// remain, so a certificate costs every tag only when that happens at its expiry.
void add_root_certificates(const Root& root, const std::vector<std::string>& trusted,
                           std::vector<ExpiryItem>& items) {
  const RoleKeys& role = root.role("root");
  std::vector<ExpiryItem> certs = certificates_of("root", role.keyids, root.keys);
  for (auto& c : certs) {
    auto still_valid = std::count_if(certs.begin(), certs.end(), [&](const ExpiryItem& other) {
      return *other.expires > *c.expires;
    });
    if (still_valid < role.threshold) c.tags = trusted;
    items.push_back(c);
  }
}

void add_delegation_certificates(const Targets& parent, std::vector<ExpiryItem>& items) {
  for (const auto& d : parent.delegations)
    for (auto& c : certificates_of(d.name, d.keyids, parent.delegation_keys)) items.push_back(c);
}

void add_under_threshold(const Targets& parent, std::vector<UnderThreshold>& out) {
  for (const auto& d : parent.delegations) {
    std::size_t usable = std::count_if(d.keyids.begin(), d.keyids.end(), [&](const auto& id) {
      return parent.delegation_keys.count(id) > 0;
    });
    if (d.threshold < 1 || usable < static_cast<std::size_t>(d.threshold))
      out.push_back({d.name, d.threshold, usable});
  }
}

}  // namespace

std::string_view status_name(ExpiryStatus status) {
  switch (status) {
    case ExpiryStatus::expired:
      return "expired";
    case ExpiryStatus::expiring:
      return "expiring";
    case ExpiryStatus::valid:
      break;
  }
  return "valid";
}

ExpiryStatus ExpiryItem::status(TimePoint now, std::chrono::seconds within) const {
  if (!expires || *expires <= now) return ExpiryStatus::expired;
  if (*expires <= now + within) return ExpiryStatus::expiring;
  return ExpiryStatus::valid;
}

bool ExpiryItem::fails(TimePoint now, std::chrono::seconds within) const {
  return !server_managed && status(now, within) != ExpiryStatus::valid;
}

ExpiryReport analyse_expiry(const TrustedRepository& repo, const ExpiryFacts& facts) {
  ExpiryReport out;
  out.trusted_tags = trusted_tags_of(repo);
  const auto& all = out.trusted_tags;

  std::vector<ExpiryItem> base{role_item("root", repo.root.file),
                               role_item("snapshot", repo.snapshot.file),
                               role_item("timestamp", repo.timestamp.file)};
  if (const Targets* targets = repo.role("targets"))
    base.insert(base.begin() + 1, role_item("targets", targets->file));
  for (auto& item : base) {
    item.tags = all;
    // notary-server signs a new timestamp on every publish and whenever a GET finds the stored
    // one expired; it does the same for the snapshot when it holds the snapshot key.
    item.server_managed =
        item.role == "timestamp" || (item.role == "snapshot" && !facts.snapshot_key_local);
    out.items.push_back(item);
  }
  // Delegations breadth-first from targets: loaded ones by their expiry, failed ones by why.
  std::deque<std::string> queue{"targets"};
  std::set<std::string> seen;
  while (!queue.empty()) {
    std::string name = queue.front();
    queue.pop_front();
    if (!seen.insert(name).second) continue;
    const Targets* t = repo.role(name);
    if (!t) continue;
    add_delegation_certificates(*t, out.items);
    add_under_threshold(*t, out.under_threshold);
    for (const auto& d : t->delegations) {
      std::vector<std::string> tags;
      if (d.name == kReleasesRole) tags = tags_of_releases(repo, all);
      if (const Targets* child = repo.role(d.name)) {
        ExpiryItem item = role_item(d.name, child->file);
        item.tags = tags;
        out.items.push_back(item);
        queue.push_back(d.name);
      } else if (const Error* failed = repo.failure(d.name);
                 failed && failed->code() == ErrorCode::expired) {
        ExpiryItem item;
        item.kind = "role";
        item.role = d.name;
        item.failure = failed->what();
        item.tags = tags;
        out.items.push_back(item);
      }
    }
  }
  add_root_certificates(repo.root, all, out.items);
  std::stable_sort(out.items.begin(), out.items.end(), [](const auto& a, const auto& b) {
    if (!a.expires || !b.expires) return !a.expires && b.expires;
    return *a.expires < *b.expires;
  });
  return out;
}

}  // namespace dct::trust
