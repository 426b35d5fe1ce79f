#pragma once
// Signing a tag from the command line: the registry's manifest bytes as what is signed, the
// roles it goes into (trust/publish/signing_roles.h) and the staged change that publish turns
// into signatures.
#include <string>
#include <vector>

#include "plugin/publish_flow.h"
#include "registry/manifest.h"
#include "registry/reference.h"
#include "trust/publish/repo_editor.h"
#include "trust/publish/signing_roles.h"

namespace dct::plugin {

using trust::kReleasesRole;
using trust::RoleChoice;

// See trust::choose_signing_roles.
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
// `opened`: what open_for_signing returned, when it ran first.
SignPlan prepare_sign(RepositoryClient& client, SigningKeys& keys, const SignOptions& options,
                      std::optional<OpenedRepository> opened = std::nullopt);

// The repository's trust data opened for signing (brought up to date and verified) without
// initializing anything, making keys or asking for passphrases, so that it can run while the
// manifest is fetched: nullopt when the server has no trust data for it (prepare_sign then
// initializes it). Throws what opening throws otherwise.
std::optional<OpenedRepository> open_for_signing(RepositoryClient& client, SigningKeys& keys,
                                                 const SignOptions& options);

// Stages the tag's signature into the chosen roles and publishes.
// The plan's opened trust data is used up (moved into the publish).
PublishReport sign_and_publish(RepositoryClient& client, SigningKeys& keys, SignPlan& plan,
                               const registry::Manifest& manifest, const SignOptions& options,
                               const Progress& progress);

}  // namespace dct::plugin
