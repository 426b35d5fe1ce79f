#include "trust/tuf/inspect.h"

#include <algorithm>
#include <deque>
#include <map>

#include "base/encoding.h"
#include "trust/crypto/keys.h"
#include "trust/tuf/resolve.h"

namespace dct::trust {
namespace {

bool is_released(const std::string& role) { return role == "targets" || role == kReleasesRole; }

std::string signer_name(const std::string& role) {
  return role.rfind("targets/", 0) == 0 ? role.substr(8) : role;
}

struct Entry {
  std::string role, tag, digest_hex;
};

// Every target in every loaded role, breadth-first from targets, within each role's paths.
std::vector<Entry> all_entries(const TrustedRepository& repo, const std::string& tag) {
  std::vector<Entry> out;
  std::deque<std::string> queue{"targets"};
  while (!queue.empty()) {
    std::string name = queue.front();
    queue.pop_front();
    const Targets* t = repo.role(name);
    if (!t) continue;
    for (const auto& [target, meta] : t->targets) {
      if (!tag.empty() && target != tag) continue;
      if (!repo.path_allowed(name, target)) continue;
      auto sha = meta.sha256();
      out.push_back({name, target, sha ? to_hex(*sha) : std::string()});
    }
    for (const auto& d : t->delegations) queue.push_back(d.name);
  }
  return out;
}

}  // namespace

bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t si = i, sj = j;
      while (si < a.size() && a[si] == '0') ++si;
      while (sj < b.size() && b[sj] == '0') ++sj;
      size_t ei = si, ej = sj;
      while (ei < a.size() && digit(a[ei])) ++ei;
      while (ej < b.size() && digit(b[ej])) ++ej;
      if (ei - si != ej - sj) return ei - si < ej - sj;
      int cmp = a.compare(si, ei - si, b, sj, ej - sj);
      if (cmp != 0) return cmp < 0;
      if (ei - i != ej - j) return ei - i < ej - j;  // fewer leading zeros first
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

InspectReport inspect_repository(const TrustedRepository& repo, const std::string& tag) {
  InspectReport report;
  auto entries = all_entries(repo, tag);
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> released;
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& e : entries)
    if (is_released(e.role) && released.try_emplace(std::pair(e.tag, e.digest_hex)).second)
      order.emplace_back(e.tag, e.digest_hex);
  for (const auto& e : entries) {
    auto it = released.find({e.tag, e.digest_hex});
    if (it != released.end() && !is_released(e.role)) it->second.push_back(signer_name(e.role));
  }
  for (const auto& key : order) {
    auto signers = released[key];
    if (signers.empty()) signers.push_back("Repo Admin");
    report.signed_tags.push_back({key.first, key.second, signers});
  }
  std::stable_sort(
      report.signed_tags.begin(), report.signed_tags.end(),
      [](const InspectTag& a, const InspectTag& b) { return natural_less(a.tag, b.tag); });

  std::deque<std::string> queue{"targets"};
  while (!queue.empty()) {
    const Targets* t = repo.role(queue.front());
    queue.pop_front();
    if (!t) continue;
    for (const auto& d : t->delegations) {
      queue.push_back(d.name);
      if (d.name == kReleasesRole) continue;
      InspectSigner s{signer_name(d.name), {}};
      for (const auto& id : d.keyids) {
        auto k = t->delegation_keys.find(id);
        s.key_ids.push_back(k == t->delegation_keys.end() ? id : canonical_key_id(k->second));
      }
      report.signers.push_back(std::move(s));
    }
  }
  std::sort(report.signers.begin(), report.signers.end(),
            [](const InspectSigner& a, const InspectSigner& b) { return a.name > b.name; });
  report.root_key_ids = repo.root.role("root").keyids;
  report.repository_key_ids = repo.root.role("targets").keyids;
  return report;
}

}  // namespace dct::trust
