#pragma once
// `dct migrate`: carrying trust over from Notary to sigstore signatures. Each tag the pull rule
// trusts (targets/releases, else targets) gets a cosign signature for exactly the digest its
// trust data verified, stored as cosign stores them (plugin/cosign_signature.h).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "registry/session.h"
#include "trust/crypto/private_key.h"

namespace dct::plugin {

struct MigrateOptions {
  bool all_tags = false;
  bool dry_run = false;
};

struct MigrateRow {
  std::string name;  // the repository (GUN)
  std::string tag;
  std::string digest;  // "sha256:<hex>", empty when the tag did not verify
  std::string role;
  std::vector<std::string> signers;
  std::string status;  // "signed", "would sign", "already signed", "skipped"
  std::string reason;  // why skipped
  std::string signature_tag;
  bool named = false;  // the tag was named on the command line (not found by --all-tags)
};

// Migrates one argument: IMAGE[:TAG], or with all_tags a repository. Tags whose trust data does
// not vouch for them come back skipped with the reason; security failures of the trust data and
// network failures throw (nothing more is signed for that argument).
std::vector<MigrateRow> migrate_image(registry::Session& session, const std::string& image,
                                      const trust::PrivateKey& key, const MigrateOptions& options,
                                      std::vector<std::string>& warnings);

nlohmann::ordered_json migrate_json(const std::vector<MigrateRow>& rows);
std::string migrate_table(const std::vector<MigrateRow>& rows);

}  // namespace dct::plugin
