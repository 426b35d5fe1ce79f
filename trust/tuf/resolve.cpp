#include "trust/tuf/resolve.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <deque>

#include "base/encoding.h"
#include "base/errors.h"

namespace dct::trust {
namespace {

std::optional<TagSighting> sighting(const TrustedRepository& repo, const std::string& role,
                                    const std::string& tag) {
  const Targets* t = repo.role(role);
  if (!t || !repo.path_allowed(role, tag)) return std::nullopt;
  auto it = t->targets.find(tag);
  if (it == t->targets.end()) return std::nullopt;
  auto sha = it->second.sha256();
  return TagSighting{role, sha ? to_hex(*sha) : std::string(), it->second.length};
}

}  // namespace

UpdateOptions resolve_update_options() {
  UpdateOptions out;
  out.eager_delegations = {kReleasesRole};
  return out;
}

std::vector<TagSighting> find_tag_everywhere(const TrustedRepository& repo,
                                             const std::string& tag) {
  std::vector<TagSighting> out;
  std::deque<std::string> queue{"targets"};
  while (!queue.empty()) {
    std::string name = queue.front();
    queue.pop_front();
    if (auto s = sighting(repo, name, tag)) out.push_back(*s);
    if (const Targets* t = repo.role(name))
      for (const auto& d : t->delegations) queue.push_back(d.name);
  }
  return out;
}

ResolvedTag resolve_tag(Updater& updater, TrustedRepository& repo, const std::string& tag,
                        bool with_signers) {
  updater.load_delegation(repo, kReleasesRole);
  // A targets/releases that the snapshot lists but that fails verification decides nothing,
  // and it must not hand the tags it may sign to targets either: that is exactly what a
  // server holding the snapshot key would arrange to replay an older targets signature.
  if (const Error* failed = repo.failure(kReleasesRole);
      failed && repo.declared_path_allowed(kReleasesRole, tag))
    throw Error(failed->code(),
                fmt::format("{} of {} failed verification, so {}:{} is not trusted: {}",
                            kReleasesRole, repo.gun, repo.gun, tag, failed->what()),
                "tags that targets/releases may sign are never taken from targets while it fails; "
                "if its owner changed it (removed a signer, let it expire), a holder of its keys "
                "must sign it again");
  std::optional<TagSighting> hit = sighting(repo, kReleasesRole, tag);
  if (!hit) hit = sighting(repo, "targets", tag);
  if (!hit || with_signers) updater.load_all(repo);

  if (!hit) {
    auto elsewhere = find_tag_everywhere(repo, tag);
    if (!elsewhere.empty()) {
      std::vector<std::string> roles;
      for (const auto& s : elsewhere) roles.push_back(s.role);
      throw Error(ErrorCode::tag_not_trusted,
                  fmt::format("{}:{} is signed only in {}, which pulls do not trust: only "
                              "targets/releases and targets signatures count",
                              repo.gun, tag, fmt::join(roles, ", ")),
                  "ask a holder of a targets/releases key to sign the tag (docker dct sign)");
    }
    std::string hint;
    if (auto it = repo.skipped.find(kReleasesRole); it != repo.skipped.end())
      hint = fmt::format("targets/releases is not usable: {}", it->second);
    else if (const Error* failed = repo.failure(kReleasesRole))
      hint = fmt::format("targets/releases is not usable: {}", failed->what());
    throw Error(ErrorCode::tag_not_found,
                fmt::format("no trust data for {}:{}: the tag is not signed", repo.gun, tag), hint);
  }
  if (hit->digest_hex.empty())
    throw Error(ErrorCode::malformed_metadata,
                fmt::format("{} lists {} without a sha256 hash", hit->role, tag));

  ResolvedTag out{tag, hit->role, hit->digest_hex, hit->size, {}};
  if (with_signers)
    for (const auto& s : find_tag_everywhere(repo, tag))
      if (s.digest_hex == out.digest_hex) out.signers.push_back(s.role);
  return out;
}

std::set<std::string> candidate_tags(const TrustedRepository& repo) {
  std::set<std::string> names;
  for (const char* role : {kReleasesRole, "targets"})
    if (const Targets* t = repo.role(role))
      for (const auto& [name, meta] : t->targets) names.insert(name);
  return names;
}

}  // namespace dct::trust
