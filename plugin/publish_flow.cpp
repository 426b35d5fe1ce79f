#include "plugin/publish_flow.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "base/errors.h"
#include "trust/crypto/certificate.h"
#include "trust/formats/metadata.h"
#include "trust/tuf/cache.h"
#include "trust/tuf/checks.h"

namespace dct::plugin {

using trust::Change;
using trust::RepoEditor;

namespace {

trust::PublicKey server_key(registry::NotaryRemote& remote, const std::string& role) {
  const auto doc = nlohmann::json::parse(remote.get_key(role), nullptr, false);
  return trust::PublicKey::from_json(doc);
}

// Trust data `dct init` (or `notary init`) cached for a repository not yet published. It is
// our own data, but it still has to be intact and consistent before anything is signed on it.
std::optional<OpenedRepository> open_unpublished(RepositoryClient& client) {
  auto& cache = client.cache();
  auto root_bytes = cache.load("root", trust::kMaxRootSize);
  if (!root_bytes) return std::nullopt;
  const std::string gun = client.gun();
  trust::Root root = trust::Root::parse(trust::SignedFile::parse(*root_bytes, "root"));
  trust::verify_signatures(root.file, root.keys, root.role("root"), "root");
  auto targets_bytes = cache.load("targets", trust::kMaxUnknownSize);
  if (!targets_bytes)
    throw Error(ErrorCode::metadata_not_found,
                fmt::format("{} was initialized here but never published, and its cached targets "
                            "metadata is missing",
                            gun),
                fmt::format("remove {} and sign again",
                            trust::repository_dir(client.trust_dir(), gun).string()));
  trust::Targets targets =
      trust::Targets::parse(trust::SignedFile::parse(*targets_bytes, "targets"), "targets");
  trust::verify_signatures(targets.file, root.keys, root.role("targets"), "targets");
  std::optional<trust::Snapshot> snapshot;
  if (auto s = cache.load("snapshot", trust::kMaxUnknownSize)) {
    snapshot = trust::Snapshot::parse(trust::SignedFile::parse(*s, "snapshot"));
    trust::verify_signatures(snapshot->file, root.keys, root.role("snapshot"), "snapshot");
  }
  return OpenedRepository{
      RepoEditor::from_unpublished(gun, std::move(root), std::move(targets), std::move(snapshot)),
      false,
      true,
      {}};
}

OpenedRepository initialize(RepositoryClient& client, SigningKeys& keys, bool server_snapshot) {
  const std::string gun = client.gun();
  const auto now = std::chrono::system_clock::now();
  // The server's keys first: nothing is created locally when the server cannot be reached.
  const trust::PublicKey timestamp = server_key(client.remote(), "timestamp");
  std::optional<trust::PublicKey> remote_snapshot;
  if (server_snapshot) remote_snapshot = server_key(client.remote(), "snapshot");

  const trust::PrivateKey* root = nullptr;
  if (auto id = keys.root_key_id())
    root = &keys.get(*id, "root");
  else
    root = &keys.create("root", "");
  const trust::PrivateKey& targets = keys.create("targets", gun);
  const trust::PrivateKey* snapshot = server_snapshot ? nullptr : &keys.create("snapshot", gun);

  trust::InitKeys init;
  init.root = root;
  init.root_certificate = trust::root_certificate_key(*root, gun, now);
  init.targets = targets.public_key();
  init.snapshot = snapshot ? snapshot->public_key() : *remote_snapshot;
  init.timestamp = timestamp;
  std::vector<trust::RepoFile> created;
  RepoEditor editor = RepoEditor::initialize(gun, init, targets, snapshot, now, &created);
  // Root last: a cached root is what marks the repository as initialized here, so a run
  // killed part way leaves either everything or nothing that open_unpublished would read.
  for (const auto& f : created)
    if (f.role != "root") client.cache().store_synced(f.role, f.bytes);
  for (const auto& f : created)
    if (f.role == "root") client.cache().store_synced(f.role, f.bytes);
  return OpenedRepository{std::move(editor), true, false, {}};
}

bool is_conflict(const Error& e) { return e.code() == ErrorCode::publish_conflict; }

}  // namespace

std::vector<std::string> roles_to_load(const std::vector<Change>& changes) {
  std::set<std::string> roles;
  for (const auto& c : changes) {
    if (!trust::is_valid_delegation_name(c.role)) continue;
    if (c.type == "target" || c.type == "witness") roles.insert(c.role);
    if (c.type == "delegation") {
      const std::string parent = trust::parent_role(c.role);
      if (parent != "targets") roles.insert(parent);
    }
  }
  return {roles.begin(), roles.end()};
}

OpenedRepository open_for_edit(RepositoryClient& client, SigningKeys& keys,
                               const EditOptions& options) {
  client.remote().set_read_actions(registry::kPushPull);
  try {
    trust::UpdateOptions update;
    for (const auto& r : options.roles)
      if (trust::is_valid_delegation_name(r) && r.find('/', 8) == std::string::npos)
        update.eager_delegations.push_back(r);
    update.renew_expired = std::find(options.witness_roles.begin(), options.witness_roles.end(),
                                     "targets") != options.witness_roles.end();
    client.hold_cache_writes();
    trust::TrustedRepository repo = client.update(update);
    if (options.all_roles) client.updater().load_all(repo);
    for (const auto& r : options.roles) {
      if (!trust::is_valid_delegation_name(r)) continue;
      client.updater().load_delegation(repo, r);
      // A role whose file fails verification is not edited on top of (and signing does not
      // move elsewhere because of it): its failure is the answer.
      const bool witnessed = std::find(options.witness_roles.begin(), options.witness_roles.end(),
                                       r) != options.witness_roles.end();
      if (const Error* failed = repo.failure(r); failed && !witnessed)
        throw Error(failed->code(),
                    fmt::format("{} of {} failed verification, so nothing was changed: {}", r,
                                client.gun(), failed->what()),
                    "if the repository's owner changed the role (removed a signer, let it "
                    "expire), a holder of its keys must sign it again; otherwise this may be an "
                    "attack");
    }
    client.commit_cache();
    std::vector<std::string> warnings = repo.warnings;
    return OpenedRepository{RepoEditor(client.gun(), repo), false, false, std::move(warnings)};
  } catch (const Error& e) {
    client.discard_cache_writes();
    if (e.code() != ErrorCode::repository_not_found) throw;
  }
  if (auto unpublished = open_unpublished(client)) return std::move(*unpublished);
  if (!options.init_if_missing)
    throw Error(ErrorCode::repository_not_found,
                fmt::format("the notary server does not have trust data for {}", client.gun()),
                fmt::format("sign a tag with `docker dct sign`, or run `docker dct init {}`",
                            client.gun()));
  return initialize(client, keys, options.server_managed_snapshot);
}

namespace {

bool covers(const trust::RepoEditor& editor, const std::vector<std::string>& roles) {
  for (const auto& r : roles)
    if (!editor.editable_now(r)) return false;
  return true;
}

PublishReport publish(RepositoryClient& client, SigningKeys& keys, const EditOptions& options,
                      const std::function<void(trust::RepoEditor&)>* edit, const Progress& progress,
                      std::optional<OpenedRepository> first) {
  const std::string gun = client.gun();
  auto changelist = trust::Changelist::for_repository(client.trust_dir(), gun);
  PublishReport report;
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string> skipped;
    const std::vector<Change> changes = edit ? std::vector<Change>{} : changelist.list(&skipped);
    for (const auto& s : skipped)
      progress(fmt::format("WARNING: skipping a damaged change file: {}", s));
    EditOptions open_options = options;
    for (auto& r : roles_to_load(changes)) open_options.roles.push_back(r);
    for (const auto& c : changes)
      if (c.type == "witness") open_options.witness_roles.push_back(c.role);
    const bool reuse = attempt == 0 && first && covers(first->editor, open_options.roles);
    OpenedRepository opened = reuse ? std::move(*first) : open_for_edit(client, keys, open_options);
    first.reset();
    report.created = report.created || opened.created;
    if (!reuse)
      for (const auto& w : opened.warnings) progress("WARNING: " + w);
    for (const auto& c : changes) opened.editor.apply(c, keys);
    if (edit) (*edit)(opened.editor);
    report.changes = changes.size();

    std::vector<std::string> applied;
    for (const auto& c : changes) applied.push_back(c.file);
    if (!opened.editor.has_changes()) {
      if (!applied.empty()) changelist.remove(applied);
      return report;
    }
    const bool local_snapshot = opened.editor.snapshot_signed_locally(keys);
    std::vector<trust::RepoFile> files = opened.editor.sign(keys, std::chrono::system_clock::now());
    std::vector<registry::PublishFile> upload;
    report.files.clear();
    for (auto& f : files) {
      report.files.push_back(f.role);
      upload.push_back({f.role, std::move(f.bytes)});
    }
    report.snapshot_by_server = !local_snapshot;
    progress(fmt::format("Pushing changes to {}", gun));
    try {
      client.remote().publish(upload);
    } catch (const Error& e) {
      if (attempt == 0 && is_conflict(e)) {
        report.retried_after_conflict = true;
        progress(
            fmt::format("The trust data of {} changed on the server meanwhile; applying the "
                        "changes again on top of it",
                        gun));
        continue;
      }
      const std::string kept =
          changes.empty()
              ? std::string()
              : fmt::format("; the staged changes are kept (`docker dct status {}`)", gun);
      if (!local_snapshot && e.code() == ErrorCode::snapshot_key_not_on_server)
        throw Error(ErrorCode::no_signing_key,
                    fmt::format("{}: the server does not hold the snapshot key of {} and it is not "
                                "in this trust dir{}",
                                e.what(), gun, kept),
                    fmt::format("the repository owner can hand the snapshot key to the server "
                                "with `docker dct key rotate {} snapshot -r`",
                                gun));
      if (is_conflict(e))
        throw Error(e.code(),
                    fmt::format("{}: someone else published to {} twice while this publish ran{}",
                                e.what(), gun, kept),
                    fmt::format("run `docker dct publish {}` again", gun));
      // A connection that broke once the upload was under way leaves its fate unknown: the
      // server may have taken it. Publishing the kept changes again is harmless either way.
      const bool unknown =
          e.code() == ErrorCode::network_unreachable || e.code() == ErrorCode::network_timeout;
      throw Error(e.code(),
                  std::string(e.what()) +
                      (unknown ? " (the connection failed, so whether the server took the upload "
                                 "is not known"
                               : " (nothing was published") +
                      kept + ")",
                  e.hint().empty()
                      ? fmt::format("fix the cause, then run `docker dct publish {}`", gun)
                      : e.hint());
    }
    if (!applied.empty()) changelist.remove(applied);
    // What was just published is ours and was accepted: caching it spares the next command
    // downloads and, for a new root, a rotation walk (notary leaves its cache as it was). The
    // targets files and snapshot are still checked against the server's snapshot and
    // timestamp whenever they are read.
    for (const auto& f : upload) client.cache().store(f.role, f.data);
    return report;
  }
}

}  // namespace

PublishReport publish_changes(RepositoryClient& client, SigningKeys& keys,
                              const EditOptions& options, const Progress& progress,
                              std::optional<OpenedRepository> opened) {
  return publish(client, keys, options, nullptr, progress, std::move(opened));
}

PublishReport publish_edit(RepositoryClient& client, SigningKeys& keys, const EditOptions& options,
                           const std::function<void(trust::RepoEditor&)>& edit,
                           const Progress& progress) {
  return publish(client, keys, options, &edit, progress, std::nullopt);
}

}  // namespace dct::plugin
