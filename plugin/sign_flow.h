#pragma once
// Signing a tag: which roles it goes into (Docker's rule, made explicit), the registry's
// manifest bytes as what is signed, and the staged change that publish turns into signatures.
#include <string>
#include <vector>

#include "plugin/publish_flow.h"
#include "registry/manifest.h"
#include "registry/reference.h"
#include "trust/publish/repo_editor.h"

namespace dct::plugin {

inline constexpr const char* kReleasesRole = "targets/releases";

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
RoleChoice choose_roles(const trust::RepoEditor& editor, SigningKeys& keys, const std::string& tag,
                        const std::vector<std::string>& requested);

// The change that signs `tag` for the manifest in `role` (notary's change file format).
trust::Change target_change(const std::string& role, const std::string& tag,
                            const registry::Manifest& manifest);

struct SignOptions {
  std::vector<std::string> roles;  // --role
  bool server_managed_snapshot = false;
};

struct SignPlan {
  registry::Reference ref;
  RoleChoice choice;
  bool new_repository = false;
  std::optional<OpenedRepository> opened;  // the verified trust data the choice was made on
};

// A reference a signature can be made for: a tag, and when a digest is given too, a sha256 one
// (IMAGE:TAG@sha256:DIGEST signs that digest). Throws invalid_reference.
void check_sign_reference(const registry::Reference& ref);

// Everything that can be checked before an image is pushed: the reference, the notary server,
// the repository's trust data (initialized when new), a usable role and its key's passphrase.
SignPlan prepare_sign(RepositoryClient& client, SigningKeys& keys, const SignOptions& options);

// Stages the tag's signature into the chosen roles and publishes.
// The plan's opened trust data is used up (moved into the publish).
PublishReport sign_and_publish(RepositoryClient& client, SigningKeys& keys, SignPlan& plan,
                               const registry::Manifest& manifest, const SignOptions& options,
                               const Progress& progress);

}  // namespace dct::plugin
