#include "plugin/migrate_flow.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <set>

#include "base/encoding.h"
#include "base/errors.h"
#include "plugin/cosign_signature.h"
#include "plugin/expiry_notice.h"
#include "plugin/resolve_flow.h"
#include "plugin/table.h"
#include "registry/blob_upload.h"
#include "trust/crypto/der_signature.h"

namespace dct::plugin {

namespace {

// Failures that mean "this tag is not trusted", as opposed to an attack or an outage.
bool migrate_skips_tag(const Error& e) { return e.kind() == ErrorKind::not_found; }

MigrateRow migrate_row_of(const Resolution& r) {
  MigrateRow row;
  row.name = r.ref.gun();
  row.tag = r.target.tag;
  row.digest = "sha256:" + r.target.digest_hex;
  row.role = r.target.role;
  row.signers = r.target.signers;
  row.signature_tag = cosign_signature_tag(row.digest);
  return row;
}

std::optional<std::string> existing_signatures(registry::ManifestClient& manifests,
                                               const std::string& path, const std::string& tag) {
  try {
    return manifests.get(path, tag).body;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::tag_not_found || e.code() == ErrorCode::repository_not_found)
      return std::nullopt;
    throw;
  }
}

// Signs one verified tag (or says it would), unless the same signature is there already.
void sign_row(registry::Session& session, const Resolution& r, const trust::PrivateKey& key,
              const MigrateOptions& options, MigrateRow& row) {
  auto manifests = session.manifest_client(r.ref);
  // The registry must hold exactly the bytes the trust data vouches for.
  try {
    const registry::Manifest m = manifests.get(r.ref.path, row.digest);
    if (static_cast<long long>(m.length) != r.target.size)
      throw Error(ErrorCode::length_mismatch,
                  fmt::format("the registry's manifest {} of {} is {} bytes; the trust data "
                              "says {}",
                              row.digest, row.name, m.length, r.target.size));
  } catch (const Error& e) {
    if (e.code() != ErrorCode::tag_not_found && e.code() != ErrorCode::repository_not_found) throw;
    row.status = "skipped";
    row.reason = fmt::format("the registry does not hold the signed manifest {}", row.digest);
    return;
  }

  TrustOrigin origin{r.server_url, r.target.role, r.target.tag, r.target.signers};
  const std::string payload = cosign_payload(row.name, row.digest, origin);
  const std::string payload_digest = "sha256:" + to_hex(sha256(payload));
  const auto existing = existing_signatures(manifests, r.ref.path, row.signature_tag);
  if (existing) {
    for (const auto& layer : cosign_layers(*existing)) {
      if (layer.payload_digest != payload_digest) continue;
      const auto der = base64_decode(layer.signature);
      if (der && trust::verify_ecdsa_der(key, payload, *der)) {
        row.status = "already signed";
        return;
      }
    }
  }
  if (options.dry_run) {
    row.status = "would sign";
    return;
  }
  CosignLayer layer;
  layer.payload_digest = payload_digest;
  layer.payload_size = payload.size();
  layer.signature = base64_encode(trust::sign_ecdsa_p256_der(key, payload));
  const SignatureManifest sm = add_cosign_layer(existing, layer);
  registry::RegistryWriter writer(session.registry_authorizer(r.ref));
  writer.upload_blob(r.ref.path, payload);
  writer.upload_blob(r.ref.path, sm.config);
  writer.put_manifest(r.ref.path, row.signature_tag, registry::kMediaTypeOciManifest, sm.manifest);
  row.status = "signed";
}

MigrateRow skipped_row(const registry::Reference& ref, const std::string& tag,
                       const std::string& reason) {
  MigrateRow row;
  row.name = ref.gun();
  row.tag = tag;
  row.status = "skipped";
  row.reason = reason;
  return row;
}

// Every tag any role of the repository lists, each resolved under the pull rule.
std::vector<Resolution> resolve_every_tag(registry::Session& session,
                                          const registry::Reference& ref,
                                          std::vector<MigrateRow>& skipped,
                                          std::vector<std::string>& warnings) {
  RepositoryClient client(session, ref);
  std::vector<Resolution> out;
  try {
    client.hold_cache_writes();
    auto repo = client.update(trust::resolve_update_options());
    client.updater().load_all(repo);
    std::set<std::string> names;
    for (const auto& [role, targets] : repo.roles)
      for (const auto& [name, meta] : targets.targets) names.insert(name);
    for (const auto& name : names) {
      try {
        Resolution r;
        r.ref = ref;
        r.ref.tag = name;
        r.server_url = client.server().url;
        r.target = trust::resolve_tag(client.updater(), repo, name, /*with_signers=*/true);
        out.push_back(std::move(r));
      } catch (const Error& e) {
        if (!migrate_skips_tag(e)) throw;
        skipped.push_back(skipped_row(ref, name, e.what()));
      }
    }
    client.commit_cache();
    add_expiry_warnings(client, repo);
    warnings.insert(warnings.end(), repo.warnings.begin(), repo.warnings.end());
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  return out;
}

}  // namespace

std::vector<MigrateRow> migrate_image(registry::Session& session, const std::string& image,
                                      const trust::PrivateKey& key, const MigrateOptions& options,
                                      std::vector<std::string>& warnings) {
  registry::Reference ref = registry::parse_reference(image);
  if (ref.has_digest())
    throw Error(
        ErrorCode::invalid_reference,
        fmt::format("{} names a digest: migrate signs what a tag's trust data verifies", image),
        "give IMAGE:TAG, or the repository with --all-tags");
  std::vector<MigrateRow> rows;
  std::vector<Resolution> verified;
  if (options.all_tags) {
    if (ref.has_tag())
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("tag can't be used with --all-tags: {}", image),
                  fmt::format("give the repository alone: {}", ref.familiar()));
    verified = resolve_every_tag(session, ref, rows, warnings);
  } else {
    try {
      Resolution r = resolve_image(session, image, /*with_signers=*/true);
      warnings.insert(warnings.end(), r.warnings.begin(), r.warnings.end());
      verified.push_back(std::move(r));
    } catch (const Error& e) {
      if (!migrate_skips_tag(e)) throw;
      MigrateRow row = skipped_row(ref, ref.tag_or_latest(), e.what());
      row.named = true;
      rows.push_back(std::move(row));
    }
  }
  for (const auto& r : verified) {
    MigrateRow row = migrate_row_of(r);
    row.named = !options.all_tags;
    sign_row(session, r, key, options, row);
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(),
            [](const MigrateRow& a, const MigrateRow& b) { return a.tag < b.tag; });
  return rows;
}

nlohmann::ordered_json migrate_json(const std::vector<MigrateRow>& rows) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& r : rows) {
    nlohmann::ordered_json j;
    j["name"] = r.name;
    j["tag"] = r.tag;
    j["status"] = r.status;
    if (!r.digest.empty()) {
      j["digest"] = r.digest;
      j["role"] = r.role;
      j["signers"] = r.signers;
      j["signature"] = r.name + ":" + r.signature_tag;
    }
    if (!r.reason.empty()) j["reason"] = r.reason;
    all.push_back(j);
  }
  return all;
}

std::string migrate_table(const std::vector<MigrateRow>& rows) {
  std::vector<std::vector<std::string>> table{{"REPOSITORY", "TAG", "DIGEST", "ROLE", "RESULT"}};
  for (const auto& r : rows) {
    std::string result = r.status;
    if (!r.reason.empty()) result += ": " + r.reason;
    table.push_back({r.name, r.tag, r.digest.empty() ? "-" : r.digest.substr(0, 19),
                     r.role.empty() ? "-" : r.role, result});
  }
  return render_table(table, kDockerTable);
}

}  // namespace dct::plugin
