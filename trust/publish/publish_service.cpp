#include "trust/publish/publish_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "base/errors.h"
#include "trust/crypto/certificate.h"
#include "trust/formats/metadata.h"
#include "trust/tuf/checks.h"

namespace dct::trust {

namespace {

bool publish_refused_as_stale(const Error& e) { return e.code() == ErrorCode::publish_conflict; }

bool editor_covers(const RepoEditor& editor, const std::vector<std::string>& roles) {
  for (const auto& r : roles)
    if (!editor.editable_now(r)) return false;
  return true;
}

}  // namespace

std::vector<std::string> roles_to_load(const std::vector<Change>& changes) {
  std::set<std::string> roles;
  for (const auto& c : changes) {
    if (!is_valid_delegation_name(c.role)) continue;
    if (c.type == "target" || c.type == "witness") roles.insert(c.role);
    if (c.type == "delegation") {
      const std::string parent = parent_role(c.role);
      if (parent != "targets") roles.insert(parent);
    }
  }
  return {roles.begin(), roles.end()};
}

// Trust data `dct init` (or `notary init`) cached for a repository not yet published. It is
// our own data, but it still has to be intact and consistent before anything is signed on it.
std::optional<OpenedRepository> PublishService::open_unpublished() {
  auto& cache = target_.cache;
  auto root_bytes = cache.load("root", kMaxRootSize);
  if (!root_bytes) return std::nullopt;
  const std::string& gun = target_.gun;
  Root root = Root::parse(SignedFile::parse(*root_bytes, "root"));
  verify_signatures(root.file, root.keys, root.role("root"), "root");
  auto targets_bytes = cache.load("targets", kMaxUnknownSize);
  if (!targets_bytes)
    throw Error(
        ErrorCode::metadata_not_found,
        fmt::format("{} was initialized here but never published, and its cached targets "
                    "metadata is missing",
                    gun),
        fmt::format("remove {} and sign again", repository_dir(target_.trust_dir, gun).string()));
  Targets targets = Targets::parse(SignedFile::parse(*targets_bytes, "targets"), "targets");
  verify_signatures(targets.file, root.keys, root.role("targets"), "targets");
  std::optional<Snapshot> snapshot;
  if (auto s = cache.load("snapshot", kMaxUnknownSize)) {
    snapshot = Snapshot::parse(SignedFile::parse(*s, "snapshot"));
    verify_signatures(snapshot->file, root.keys, root.role("snapshot"), "snapshot");
  }
  return OpenedRepository{
      RepoEditor::from_unpublished(gun, std::move(root), std::move(targets), std::move(snapshot)),
      false,
      true,
      {}};
}

OpenedRepository PublishService::initialize(const EditOptions& options) {
  const bool server_snapshot = options.server_managed_snapshot;
  const std::string& gun = target_.gun;
  const auto now = std::chrono::system_clock::now();
  // The server's keys first: nothing is created locally when the server cannot be reached.
  const PublicKey timestamp = target_.remote.server_key("timestamp");
  std::optional<PublicKey> remote_snapshot;
  if (server_snapshot) remote_snapshot = target_.remote.server_key("snapshot");

  const PrivateKey* root = nullptr;
  if (options.root_key_id)
    root = &keys_.get(*options.root_key_id, "root");
  else if (auto id = keys_.root_key_id())
    root = &keys_.get(*id, "root");
  else
    root = &keys_.create("root", "");
  const PrivateKey& targets = keys_.create("targets", gun);
  const PrivateKey* snapshot = server_snapshot ? nullptr : &keys_.create("snapshot", gun);

  InitKeys init;
  init.root = root;
  init.root_certificate = options.root_certificate
                              ? certificate_key(*root, *options.root_certificate)
                              : root_certificate_key(*root, gun, now);
  init.targets = targets.public_key();
  init.snapshot = snapshot ? snapshot->public_key() : *remote_snapshot;
  init.timestamp = timestamp;
  std::vector<RepoFile> created;
  RepoEditor editor = RepoEditor::initialize(gun, init, targets, snapshot, now, &created);
  // Root last: a cached root is what marks the repository as initialized here, so a run
  // killed part way leaves either everything or nothing that open_unpublished would read.
  for (const auto& f : created)
    if (f.role != "root") target_.cache.store_synced(f.role, f.bytes);
  for (const auto& f : created)
    if (f.role == "root") target_.cache.store_synced(f.role, f.bytes);
  return OpenedRepository{std::move(editor), true, false, {}};
}

OpenedRepository PublishService::open_for_edit(const EditOptions& options) {
  const std::string& gun = target_.gun;
  try {
    UpdateOptions update;
    for (const auto& r : options.roles)
      if (is_valid_delegation_name(r) && r.find('/', 8) == std::string::npos)
        update.eager_delegations.push_back(r);
    update.renew_expired = std::find(options.witness_roles.begin(), options.witness_roles.end(),
                                     "targets") != options.witness_roles.end();
    target_.cache.hold();
    TrustedRepository repo = target_.updater.update(update);
    if (options.all_roles) target_.updater.load_all(repo);
    for (const auto& r : options.roles) {
      if (!is_valid_delegation_name(r)) continue;
      target_.updater.load_delegation(repo, r);
      // A role whose file fails verification is not edited on top of (and signing does not
      // move elsewhere because of it): its failure is the answer.
      const bool witnessed = std::find(options.witness_roles.begin(), options.witness_roles.end(),
                                       r) != options.witness_roles.end();
      if (const Error* failed = repo.failure(r); failed && !witnessed)
        throw Error(failed->code(),
                    fmt::format("{} of {} failed verification, so nothing was changed: {}", r, gun,
                                failed->what()),
                    "if the repository's owner changed the role (removed a signer, let it "
                    "expire), a holder of its keys must sign it again; otherwise this may be an "
                    "attack");
    }
    target_.cache.commit();
    std::vector<std::string> warnings = repo.warnings;
    return OpenedRepository{RepoEditor(gun, repo), false, false, std::move(warnings)};
  } catch (const Error& e) {
    target_.cache.discard();
    if (e.code() != ErrorCode::repository_not_found) throw;
  }
  if (auto unpublished = open_unpublished()) return std::move(*unpublished);
  if (!options.init_if_missing)
    throw Error(ErrorCode::repository_not_found,
                fmt::format("the notary server does not have trust data for {}", gun),
                fmt::format("sign a tag with `docker dct sign`, or run `docker dct init {}`", gun));
  return initialize(options);
}

PublishReport PublishService::publish(const EditOptions& options,
                                      const std::function<void(RepoEditor&)>* edit,
                                      const PublishObserver& observer,
                                      std::optional<OpenedRepository> first, bool own_changes) {
  const std::string& gun = target_.gun;
  auto changelist = Changelist::for_repository(target_.trust_dir, gun);
  PublishReport report;
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string> skipped;
    const std::vector<Change> changes = edit ? std::vector<Change>{} : changelist.list(&skipped);
    for (const auto& s : skipped) observer({PublishEvent::Kind::damaged_change, s});
    EditOptions open_options = options;
    for (auto& r : roles_to_load(changes)) open_options.roles.push_back(r);
    for (const auto& c : changes)
      if (c.type == "witness") open_options.witness_roles.push_back(c.role);
    const bool reuse = attempt == 0 && first && editor_covers(first->editor, open_options.roles);
    OpenedRepository opened = reuse ? std::move(*first) : open_for_edit(open_options);
    first.reset();
    report.created = report.created || opened.created;
    if (!reuse)
      for (const auto& w : opened.warnings) observer({PublishEvent::Kind::warning, w});
    for (const auto& c : changes) opened.editor.apply(c, keys_);
    if (edit) (*edit)(opened.editor);
    report.changes = changes.size();

    std::vector<std::string> applied;
    for (const auto& c : changes) applied.push_back(c.file);
    if (!opened.editor.has_changes()) {
      if (!applied.empty()) changelist.remove(applied);
      return report;
    }
    const bool local_snapshot = opened.editor.snapshot_signed_locally(keys_);
    const std::vector<RepoFile> files = opened.editor.sign(keys_, std::chrono::system_clock::now());
    report.files.clear();
    for (const auto& f : files) report.files.push_back(f.role);
    report.snapshot_by_server = !local_snapshot;
    observer({PublishEvent::Kind::pushing, gun});
    try {
      target_.remote.publish(files);
    } catch (const Error& e) {
      if (attempt == 0 && publish_refused_as_stale(e)) {
        report.retried_after_conflict = true;
        observer({PublishEvent::Kind::retrying, gun});
        continue;
      }
      // The command's own changes are taken back out by publish_changes, which says so.
      const std::string kept =
          changes.empty() || own_changes
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
      if (publish_refused_as_stale(e))
        throw Error(e.code(),
                    fmt::format("{}: someone else published to {} twice while this publish ran{}",
                                e.what(), gun, kept),
                    own_changes ? "run the command again"
                                : fmt::format("run `docker dct publish {}` again", gun));
      // A connection that broke once the upload was under way leaves its fate unknown: the
      // server may have taken it. Publishing the kept changes again is harmless either way.
      const bool unknown =
          e.code() == ErrorCode::network_unreachable || e.code() == ErrorCode::network_timeout;
      throw Error(unknown ? ErrorCode::publish_outcome_unknown : e.code(),
                  std::string(e.what()) +
                      (unknown ? " (the connection failed, so whether the server took the upload "
                                 "is not known"
                               : " (nothing was published") +
                      kept + ")",
                  !e.hint().empty() ? e.hint()
                  : own_changes
                      ? "fix the cause, then run the command again"
                      : fmt::format("fix the cause, then run `docker dct publish {}`", gun));
    }
    if (!applied.empty()) changelist.remove(applied);
    // What was just published is ours and was accepted: caching it spares the next command
    // downloads and, for a new root, a rotation walk (notary leaves its cache as it was). The
    // targets files and snapshot are still checked against the server's snapshot and
    // timestamp whenever they are read.
    for (const auto& f : files) target_.cache.store(f.role, f.bytes);
    return report;
  }
}

PublishReport PublishService::publish_changes(const EditOptions& options,
                                              const PublishObserver& observer,
                                              std::optional<OpenedRepository> opened,
                                              const std::vector<std::string>& own_changes) {
  if (own_changes.empty()) return publish(options, nullptr, observer, std::move(opened), false);
  const std::string& gun = target_.gun;
  auto changelist = Changelist::for_repository(target_.trust_dir, gun);
  try {
    return publish(options, nullptr, observer, std::move(opened), true);
  } catch (const Error& e) {
    throw unstage_after_failure(changelist, own_changes, e, gun);
  } catch (...) {
    changelist.remove(own_changes);
    throw;
  }
}

PublishReport PublishService::publish_edit(const EditOptions& options,
                                           const std::function<void(RepoEditor&)>& edit,
                                           const PublishObserver& observer) {
  return publish(options, &edit, observer, std::nullopt, false);
}

}  // namespace dct::trust
