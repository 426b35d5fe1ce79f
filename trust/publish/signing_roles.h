#pragma once
// The signing rule of Docker Content Trust, the mirror of the pull rule (trust/tuf/resolve.h):
// pulls trust targets/releases, or failing that targets, so a tag is signed into
// targets/releases when it exists, else into targets.
#include <string>
#include <vector>

#include "trust/publish/repo_editor.h"
#include "trust/publish/signing_keys.h"
#include "trust/tuf/resolve.h"

namespace dct::trust {

struct RoleChoice {
  std::vector<std::string> roles;
  std::vector<std::string> warnings;
};

// Where `tag` gets signed:
// - `requested` roles (--role) when given: each must exist, allow the tag and be signable;
//   a warning for any role Docker pulls ignore;
// - else targets/releases when it exists (its key is required), else targets;
// - plus every other direct child of targets the user holds a key for (`docker trust signer add`
//   roles), so that `docker trust inspect` shows the signer.
// Throws no_signing_key explaining which keys are needed and which are held.
RoleChoice choose_signing_roles(const RepoEditor& editor, SigningKeys& keys, const std::string& tag,
                                const std::vector<std::string>& requested);

// Loads the key(s) `role` will be signed with now, so that a wrong or missing passphrase shows
// up before anything is pushed or published.
void unlock_signing_key(const RepoEditor& editor, SigningKeys& keys, const std::string& role);

}  // namespace dct::trust
