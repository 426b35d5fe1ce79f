#pragma once
// The pull rule of Docker Content Trust: a tag counts only when signed in targets/releases,
// or failing that in targets. Signatures in any other delegation are reported, never used.
#include <set>
#include <string>
#include <vector>

#include "trust/tuf/updater.h"

namespace dct::trust {

inline constexpr const char* kReleasesRole = "targets/releases";

struct ResolvedTag {
  std::string tag;
  std::string role;        // "targets/releases" or "targets"
  std::string digest_hex;  // sha256 of the manifest, lower-case hex
  long long size = 0;
  std::vector<std::string> signers;  // roles vouching for the same digest (after load_all)
};

// Resolves `tag`; throws tag_not_found / tag_not_trusted with a message saying where the tag
// was (or was not) found. Loads delegations lazily: other delegations are only read to explain
// a refusal or, with `with_signers`, to list who signed.
ResolvedTag resolve_tag(Updater& updater, TrustedRepository& repo, const std::string& tag,
                        bool with_signers = false);

// Every role that lists `tag` (breadth-first order), with its digest; for messages and inspect.
struct TagSighting {
  std::string role;
  std::string digest_hex;
  long long size = 0;
};
std::vector<TagSighting> find_tag_everywhere(const TrustedRepository& repo, const std::string& tag);

// The tag names signed in targets/releases or targets, sorted: the candidates of the pull rule.
// resolve_tag decides which of them are trusted and to what digest.
std::set<std::string> candidate_tags(const TrustedRepository& repo);

// The updater options a resolve needs: targets/releases fetched along with targets.
UpdateOptions resolve_update_options();

}  // namespace dct::trust
