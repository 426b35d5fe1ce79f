#include "trust/tuf/updater.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "base/encoding.h"
#include "base/errors.h"
#include "trust/tuf/checks.h"

namespace dct::trust {
namespace {

bool is_verification_failure(const Error& e) {
  switch (e.code()) {
    case ErrorCode::signature_invalid:
    case ErrorCode::threshold_not_met:
    case ErrorCode::key_id_mismatch:
    case ErrorCode::hash_mismatch:
    case ErrorCode::length_mismatch:
      return true;
    default:
      return false;
  }
}

// Expiry as every update checks it, or, when the expired file is to be signed again, a warning.
void check_unless_renewing(const SignedFile& file, TimePoint now, const std::string& role,
                           bool renewing, std::vector<std::string>& warnings) {
  if (!renewing || file.expires > now) return check_not_expired(file, now, role);
  warnings.push_back(fmt::format("{} expired on {}; it is loaded only to be signed again", role,
                                 file.expires_text));
}

// Failures of a delegation's own file: recorded against the role (nothing it lists is trusted,
// and what it could sign is refused) instead of aborting everything else.
bool is_role_file_failure(const Error& e) {
  switch (e.code()) {
    case ErrorCode::signature_invalid:
    case ErrorCode::threshold_not_met:
    case ErrorCode::key_id_mismatch:
    case ErrorCode::expired:
    case ErrorCode::hash_mismatch:
    case ErrorCode::length_mismatch:
    case ErrorCode::oversized:
    case ErrorCode::malformed_metadata:
    case ErrorCode::wrong_type:
    case ErrorCode::delegation_invalid:
      return true;
    default:
      return false;
  }
}

std::vector<std::string> restrict_paths(const std::vector<std::string>& child,
                                        const std::vector<std::string>& parent) {
  std::vector<std::string> out;
  for (const auto& p : child)
    for (const auto& allowed : parent)
      if (p.rfind(allowed, 0) == 0) {
        out.push_back(p);
        break;
      }
  return out;
}

}  // namespace

const Targets* TrustedRepository::role(const std::string& name) const {
  auto it = roles.find(name);
  return it == roles.end() ? nullptr : &it->second;
}

bool TrustedRepository::path_allowed(const std::string& role_name,
                                     const std::string& target) const {
  auto it = paths.find(role_name);
  if (it == paths.end()) return false;
  for (const auto& p : it->second)
    if (target.rfind(p, 0) == 0) return true;
  return false;
}

bool TrustedRepository::declared_path_allowed(const std::string& role_name,
                                              const std::string& target) const {
  if (paths.count(role_name)) return path_allowed(role_name, target);
  const Targets* parent = role(parent_role(role_name));
  if (!parent || !paths.count(parent->role_name)) return false;
  const DelegationRole* d = parent->find_delegation(role_name);
  if (!d) return false;
  for (const auto& p : restrict_paths(d->paths, paths.at(parent->role_name)))
    if (target.rfind(p, 0) == 0) return true;
  return false;
}

const Error* TrustedRepository::failure(const std::string& role_name) const {
  auto it = failed.find(role_name);
  return it == failed.end() ? nullptr : &it->second;
}

void throw_fetch_error(const FetchResult& r, const std::string& what, const std::string& gun) {
  using S = FetchResult::Status;
  switch (r.status) {
    case S::ok:
      break;
    case S::not_found:
      throw Error(ErrorCode::metadata_not_found,
                  fmt::format("trust data for {} is incomplete on the server: {} was not found",
                              gun, what));
    case S::too_large:
      throw Error(ErrorCode::oversized,
                  fmt::format("{} of {} is larger than allowed; reading stopped at the limit{}",
                              what, gun, r.error.empty() ? "" : " (" + r.error + ")"));
    case S::http_error:
      if (r.http_status == 401 || r.http_status == 403)
        throw Error(r.auth_code,
                    fmt::format("not authorized to read trust data for {}: {}", gun, r.error),
                    !r.hint.empty() ? r.hint
                                    : "log in with 'docker login' to the registry, or check the "
                                      "credentials in config.json");
      throw Error(ErrorCode::server_error,
                  fmt::format("notary server failed to return {} of {}: {}", what, gun, r.error));
    case S::network_error:
      throw Error(r.network_code, fmt::format("error contacting notary server: {}", r.error));
  }
  throw Error(ErrorCode::internal, "fetch error without a status");
}

Updater::Updater(std::string gun, MetadataFetcher& remote, MetadataCache& cache, const Clock& clock,
                 TrustPinning pinning)
    : gun_(std::move(gun)),
      remote_(remote),
      cache_(cache),
      clock_(clock),
      pinning_(std::move(pinning)) {}

TrustedRepository Updater::update(const UpdateOptions& options) {
  listed_before_ = cached_listing();
  indexed_tag_ = options.renew_expired ? std::nullopt : options.indexed_tag;
  renewing_ = options.renew_expired;
  try {
    return attempt(options, false);
  } catch (const Error& e) {
    // TUF recovery: a verification failure may mean the keys were rotated. Look for a newer
    // root once; only a newer, properly signed root earns a second attempt, so the same bad
    // data is never retried into success.
    if (!is_verification_failure(e)) throw;
    auto current = load_cached_root(pending_warnings_);
    if (!current || !refresh_root(*current)) throw;
    return attempt(options, true);
  }
}

// The delegations the cached snapshot lists. The cache holds only verified bytes, so this is
// the last snapshot this client trusted.
std::set<std::string> Updater::cached_listing() {
  std::set<std::string> out;
  auto bytes = cache_.load("snapshot", kMaxUnknownSize);
  if (!bytes) return out;
  try {
    Snapshot previous = Snapshot::parse(SignedFile::parse(std::move(*bytes), "cached snapshot"));
    for (const auto& [name, _] : previous.meta)
      if (is_valid_delegation_name(name)) out.insert(name);
  } catch (const Error&) {
    // A damaged cache is replaced by the update; it vouches for nothing.
  }
  return out;
}

std::optional<Root> Updater::load_cached_root(std::vector<std::string>& warnings) {
  auto bytes = cache_.load("root", kMaxRootSize);
  if (!bytes) return std::nullopt;
  try {
    Root root = Root::parse(SignedFile::parse(std::move(*bytes), "cached root"));
    verify_root(root, nullptr, gun_, pinning_, clock_.now(),
                RootCheck{.check_expiry = false, .from_cache = true});
    return root;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::pinning_failed) throw;
    warnings.push_back(fmt::format(
        "the cached trust data for {} failed verification and was discarded ({})", gun_, e.what()));
    for (const char* role : {"root", "timestamp", "snapshot", "targets"}) cache_.remove(role);
    return std::nullopt;
  }
}

TrustedRepository Updater::attempt(const UpdateOptions& options, bool after_root_refresh) {
  TrustedRepository repo;
  repo.gun = gun_;
  repo.listed_before = listed_before_.value_or(std::set<std::string>{});
  repo.warnings = std::move(pending_warnings_);
  pending_warnings_.clear();
  fetched_.clear();
  const TimePoint now = clock_.now();

  std::optional<Root> trusted = load_cached_root(repo.warnings);
  const bool need_root = !trusted || trusted->file.expires <= now;
  // Cold: nothing cached beyond the root (a publish of ours caches its snapshot, not the
  // server's timestamp). Then everything is asked for at once instead of link by link.
  const bool cold = !trusted || (!cache_.load("timestamp", kMaxTimestampSize) &&
                                 !cache_.load("snapshot", kMaxUnknownSize));

  // One round trip for everything whose name is known up front.
  std::vector<FetchRequest> requests;
  std::vector<std::string> names;
  if (need_root) {
    requests.push_back({"root.json", kMaxRootSize});
    names.push_back("root");
  }
  requests.push_back({"timestamp.json", kMaxTimestampSize});
  names.push_back("timestamp");
  if (cold) {
    requests.push_back({"snapshot.json", kMaxUnknownSize});
    names.push_back("snapshot");
    requests.push_back({"targets.json", kMaxUnknownSize});
    names.push_back("targets");
    for (const auto& d : options.eager_delegations) {
      if (!is_valid_delegation_name(d))
        throw Error(ErrorCode::invalid_role_name, fmt::format("invalid role name \"{}\"", d));
      requests.push_back({d + ".json", kMaxUnknownSize});
      names.push_back(d);
    }
  }
  auto results = remote_.fetch_all(requests);
  for (size_t i = 0; i < names.size(); ++i) fetched_[names[i]] = std::move(results[i]);

  if (need_root) {
    const FetchResult& r = fetched_["root"];
    if (r.status == FetchResult::Status::not_found)
      throw Error(ErrorCode::repository_not_found,
                  fmt::format("the notary server does not have trust data for {}", gun_),
                  "the repository has never been signed, or DOCKER_CONTENT_TRUST_SERVER points at "
                  "another notary server");
    if (!r.ok()) throw_fetch_error(r, "root.json", gun_);
    repo.first_use = !trusted;
    repo.root = establish_root(r, trusted);
  } else {
    repo.root = std::move(*trusted);
  }

  // Timestamp: signed by the root's timestamp keys, never older than the cached one.
  {
    const FetchResult& r = fetched_["timestamp"];
    if (r.status == FetchResult::Status::not_found)
      throw Error(ErrorCode::repository_not_found,
                  fmt::format("the notary server does not have trust data for {}", gun_));
    if (!r.ok()) throw_fetch_error(r, "timestamp.json", gun_);
    repo.timestamp = verify_timestamp(r, repo.root);
  }

  // Snapshot: must match the timestamp's hash and length.
  {
    SignedFile f = obtain("snapshot", repo.timestamp.snapshot, "timestamp");
    Snapshot snap = Snapshot::parse(std::move(f));
    verify_signatures(snap.file, repo.root.keys, repo.root.role("snapshot"), "snapshot");
    check_unless_renewing(snap.file, now, "snapshot", options.renew_expired, repo.warnings);
    repo.snapshot = std::move(snap);
  }
  cache_.store("snapshot", repo.snapshot.file.raw);

  // The snapshot pins the root: a different root on the server means a rotation to follow.
  {
    const FileMeta& root_meta = repo.snapshot.meta.at("root");
    try {
      check_file_meta(root_meta, repo.root.file.raw, "root", "snapshot");
    } catch (const Error&) {
      if (after_root_refresh)
        throw Error(
            ErrorCode::hash_mismatch,
            fmt::format("the snapshot of {} lists a root that the server does not serve", gun_));
      throw Error(
          ErrorCode::hash_mismatch,
          fmt::format("the snapshot of {} lists a root different from the trusted one", gun_));
    }
  }

  // Top-level targets.
  {
    const auto it = repo.snapshot.meta.find("targets");
    std::optional<Targets> t =
        read_indexed("targets", it->second, repo.root.keys, repo.root.role("targets"));
    if (t) {
      repo.indexed.insert("targets");
    } else {
      t.emplace(Targets::parse(obtain("targets", it->second, "snapshot"), "targets"));
      auto verified =
          verify_signatures(t->file, repo.root.keys, repo.root.role("targets"), "targets");
      check_unless_renewing(t->file, now, "targets", options.renew_expired, repo.warnings);
      cache_.store("targets", t->file.raw);
      record_index("targets", t->file, it->second, verified);
    }
    repo.roles.emplace("targets", std::move(*t));
    repo.paths["targets"] = {""};
  }
  // TUF 5.5.5 for the roles targets delegates to, checked now rather than when a role is
  // loaded: a command that never reads a hidden role must not accept (and cache) the snapshot
  // that hides it either.
  for (const auto& d : repo.roles.at("targets").delegations)
    if (repo.listed_before.count(d.name)) require_still_listed(repo, d, "targets");

  for (const auto& d : options.eager_delegations) load_delegation(repo, d);
  return repo;
}

Root Updater::establish_root(const FetchResult& fetched, const std::optional<Root>& trusted) {
  Root candidate = Root::parse(SignedFile::parse(fetched.body, "root"));
  const TimePoint now = clock_.now();
  if (trusted) {
    if (candidate.file.version < trusted->file.version)
      throw Error(ErrorCode::rollback,
                  fmt::format("the server offers root version {} of {}, older than the trusted "
                              "version {}",
                              candidate.file.version, gun_, trusted->file.version));
    if (candidate.file.version == trusted->file.version) {
      if (candidate.file.raw != trusted->file.raw)
        throw Error(ErrorCode::rollback,
                    fmt::format("the server offers a different root of {} under the trusted "
                                "version {}",
                                gun_, trusted->file.version));
      verify_root(candidate, nullptr, gun_, pinning_, now, RootCheck{true, true});
    } else {
      candidate = walk_root_chain(*trusted, std::move(candidate));
    }
  } else {
    verify_root(candidate, nullptr, gun_, pinning_, now, RootCheck{true, false});
  }
  cache_.store("root", candidate.file.raw);
  return candidate;
}

// Root rotation (TUF 5.3.4-5.3.6): every version between the trusted one and the newest must
// be signed by the previous version's root keys and by its own, so no link can be skipped. The
// newest version number comes from an unverified file, so nothing is fetched on its word alone:
// links are fetched and verified one at a time (a bogus link costs one download and ends the
// walk), at most two roots are held at once, and the links and bytes read are capped.
Root Updater::walk_root_chain(const Root& trusted, Root newest) {
  const TimePoint now = clock_.now();
  const long long links = newest.file.version - trusted.file.version;
  if (links > kMaxRootLinks)
    throw Error(ErrorCode::root_rotation_failed,
                fmt::format("root of {} jumps from version {} to {}, more than {} rotations at "
                            "once; the root chain was not followed",
                            gun_, trusted.file.version, newest.file.version, kMaxRootLinks));
  std::size_t budget = kMaxRootChainBytes;
  std::optional<Root> previous;  // the last verified link, once past the trusted root
  for (long long v = trusted.file.version + 1; v < newest.file.version; ++v) {
    const std::string name = fmt::format("{}.root.json", v);
    if (budget == 0)
      throw Error(ErrorCode::oversized,
                  fmt::format("the root chain of {} from version {} to {} is larger than {} MiB; "
                              "it was not followed past version {}",
                              gun_, trusted.file.version, newest.file.version,
                              kMaxRootChainBytes >> 20, v - 1));
    FetchResult r = remote_.fetch({name, std::min(kMaxRootSize, budget)});
    if (!r.ok()) throw_fetch_error(r, name, gun_);
    budget -= std::min(budget, r.body.size());
    Root link =
        Root::parse(SignedFile::parse(std::move(r.body), fmt::format("root version {}", v)));
    if (link.file.version != v)
      throw Error(ErrorCode::root_rotation_failed,
                  fmt::format("{} of {} holds version {}", name, gun_, link.file.version));
    verify_root(link, previous ? &*previous : &trusted, gun_, pinning_, now,
                RootCheck{false, false});
    previous = std::move(link);
  }
  verify_root(newest, previous ? &*previous : &trusted, gun_, pinning_, now,
              RootCheck{true, false});
  return newest;
}

bool Updater::refresh_root(const Root& current) {
  FetchResult r = remote_.fetch({"root.json", kMaxRootSize});
  if (!r.ok()) return false;
  Root candidate = Root::parse(SignedFile::parse(r.body, "root"));
  if (candidate.file.version <= current.file.version) return false;
  Root next = walk_root_chain(current, std::move(candidate));
  cache_.store("root", next.file.raw);
  // New timestamp or snapshot keys restart that role's version history (TUF 5.3.11): a
  // version fast-forwarded with the old keys must not lock the client out after recovery.
  for (const char* role : {"timestamp", "snapshot"}) {
    auto keys_of = [role](const Root& of) {
      auto ids = of.role(role).keyids;
      std::sort(ids.begin(), ids.end());
      return ids;
    };
    if (keys_of(current) != keys_of(next)) {
      discard_cache(role, fmt::format("the root rotated the {} keys", role));
      // TUF 5.3.11: the snapshot made with the old keys no longer binds the new ones.
      if (std::string_view(role) == "snapshot") listed_before_.reset();
    }
  }
  pending_warnings_.push_back(
      fmt::format("the root of {} was rotated to version {}", gun_, next.file.version));
  return true;
}

Timestamp Updater::verify_timestamp(const FetchResult& fetched, const Root& root) {
  Timestamp ts = Timestamp::parse(SignedFile::parse(fetched.body, "timestamp"));
  verify_signatures(ts.file, root.keys, root.role("timestamp"), "timestamp");
  if (auto cached = cached_version("timestamp", kMaxTimestampSize)) {
    if (ts.file.version < *cached)
      throw Error(ErrorCode::rollback,
                  fmt::format("the server offers timestamp version {} of {}, older than the "
                              "version {} seen before",
                              ts.file.version, gun_, *cached));
  }
  check_not_expired(ts.file, clock_.now(), "timestamp");
  cache_.store("timestamp", ts.file.raw);
  return ts;
}

std::optional<long long> Updater::cached_version(const std::string& role, std::size_t max_size) {
  auto bytes = cache_.load(role, max_size);
  if (!bytes) return std::nullopt;
  try {
    return SignedFile::parse(std::move(*bytes), role).version;
  } catch (const Error&) {
    return std::nullopt;
  }
}

// The role read through its sealed verified index, and checked as the full path checks it:
// the file is the one the snapshot lists (length and both hashes, as recorded when it was
// verified; the cached copy's two halves hashed again), its recorded signers meet the threshold
// with the keys in force now, and it has not expired. nullopt whenever anything does not hold,
// and the caller then reads and verifies the whole file.
std::optional<Targets> Updater::read_indexed(const std::string& role, const FileMeta& expected,
                                             const std::map<std::string, PublicKey>& keys,
                                             const RoleKeys& role_keys) {
  if (!index_ || !indexed_tag_) return std::nullopt;
  const std::string* sha256_listed = expected.listed_hash("sha256");
  const std::string* sha512_listed = expected.listed_hash("sha512");
  if (!sha256_listed) return std::nullopt;
  bool suspect = false;  // a sealed index names the tag, for the very file the snapshot lists
  try {
    auto seal_key = index_->seal().key();
    if (!seal_key) return std::nullopt;
    auto text = index_->load(role);
    if (!text) return std::nullopt;
    auto index = open_verified_index(*text, *seal_key);
    if (!index || index->file.gun != gun_ || index->file.role != role ||
        index->file.length != expected.length || index->file.sha256_hex != to_hex(*sha256_listed) ||
        (sha512_listed && index->file.sha512_hex != to_hex(*sha512_listed)))
      return std::nullopt;
    // A tag the index does not name is looked for in the whole file; the index stays.
    auto ranges = indexed_ranges(*index, *indexed_tag_);
    if (!ranges) return std::nullopt;
    suspect = true;
    // The hashes of the cached file's halves prove that the pieces read come from the file
    // verified then: the newest this client trusted (so no rollback), and byte for byte what
    // the snapshot lists now (its SHA-256 is the recorded one).
    auto pieces = read_indexed_pieces(cache_, *index, *ranges);
    if (!pieces) throw Error(ErrorCode::hash_mismatch, "the cached file is not the indexed one");
    if (auto t = read_indexed_target(*pieces, role, *indexed_tag_)) {
      check_verified_signers(index->file.signer_ids, keys, role_keys, role);
      check_not_expired(t->file, clock_.now(), role);
      return t;
    }
  } catch (const Error&) {
  }
  // An index that led nowhere for the current file is made again by the full verification.
  if (suspect) {
    try {
      index_->remove(role);
    } catch (const Error&) {
    }
  }
  return std::nullopt;
}

// After `file` of `role` passed the full verification (`verified`): its sealed index, unless
// the one kept records this very file already. A failure to write it costs speed, never the
// update.
void Updater::record_index(const std::string& role, const SignedFile& file,
                           const FileMeta& expected, const VerifyOutcome& verified) {
  if (!index_ || renewing_) return;
  try {
    // The file matched `expected`: a hash it lists need not be computed again.
    auto hash_hex = [&](const char* alg, std::string (*compute)(std::string_view)) {
      const std::string* listed = expected.listed_hash(alg);
      return to_hex(listed ? *listed : compute(file.raw));
    };
    IndexedFile facts;
    facts.gun = gun_;
    facts.role = role;
    facts.length = static_cast<long long>(file.raw.size());
    facts.sha256_hex = hash_hex("sha256", sha256);
    facts.signer_ids = verified.valid_ids;
    const std::string seal_key = index_->seal().key_making_one();
    if (auto kept = index_->load(role)) {
      auto opened = open_verified_index(*kept, seal_key);
      if (opened && opened->file.sha256_hex == facts.sha256_hex &&
          opened->file.signer_ids == facts.signer_ids && opened->file.gun == gun_ &&
          opened->file.role == role)
        return;
    }
    facts.sha512_hex = hash_hex("sha512", sha512);
    facts.split = file.raw.size() / 2;
    const std::string_view raw = file.raw;
    facts.first_half_sha256_hex = to_hex(sha256(raw.substr(0, facts.split)));
    facts.second_half_sha256_hex = to_hex(sha256(raw.substr(facts.split)));
    if (auto index = build_verified_index(facts, file.raw, file.canonical, seal_key))
      index_->store(role, *index);
    else
      index_->remove(role);
  } catch (const std::exception&) {
  }
}

void Updater::discard_cache(const std::string& role, const std::string& why) {
  cache_.remove(role);
  pending_warnings_.push_back(fmt::format("cached {} of {} was discarded: {}", role, gun_, why));
}

// Returns the bytes of `role` matching `expected`: from the cache when it matches, else from
// a speculative fetch by current name, else fetched by checksum. Rollback is checked against
// the cached version; signatures are checked by the caller, who knows the keys.
SignedFile Updater::obtain(const std::string& role, const FileMeta& expected,
                           const std::string& parent) {
  const auto max = static_cast<std::size_t>(expected.length);
  std::optional<long long> previous_version;
  if (auto cached = cache_.load(role, kMaxUnknownSize)) {
    try {
      check_file_meta(expected, *cached, role, parent);
      return SignedFile::parse(std::move(*cached), role);
    } catch (const Error& e) {
      // Not the current version (the normal case after a publish), or damaged.
      try {
        SignedFile previous = SignedFile::parse(*cached, role);
        if (previous.type == (role == "snapshot" ? "Snapshot" : "Targets"))
          previous_version = previous.version;
        else
          discard_cache(role, fmt::format("it holds {} metadata", previous.type));
      } catch (const Error&) {
        discard_cache(role, e.what());
      }
    }
  }
  std::optional<std::string> body;
  if (auto it = fetched_.find(role); it != fetched_.end() && it->second.ok()) {
    try {
      check_file_meta(expected, it->second.body, role, parent);
      body = std::move(it->second.body);
    } catch (const Error&) {
      // Changed between requests: fall through to the checksum-addressed copy.
    }
    fetched_.erase(it);
  }
  if (!body) {
    auto hex = to_hex(*expected.sha256());
    FetchResult r = remote_.fetch({fmt::format("{}.{}.json", role, hex), max});
    if (!r.ok()) throw_fetch_error(r, fmt::format("{}.{}.json", role, hex.substr(0, 12)), gun_);
    check_file_meta(expected, r.body, role, parent);
    body = std::move(r.body);
  }
  SignedFile f = SignedFile::parse(std::move(*body), role);
  if (previous_version && f.version < *previous_version)
    throw Error(ErrorCode::rollback,
                fmt::format("the server offers {} version {} of {}, older than the version {} "
                            "seen before",
                            role, f.version, gun_, *previous_version));
  return f;
}

// TUF 5.5.5: a role the trusted snapshot listed, and that its parent still delegates to with
// enough keys to sign it, must stay listed. Otherwise the snapshot's signer (the server, for
// server-managed snapshots) could hide it and make clients fall back to what other roles
// signed. A role its owner removed is gone from the owner-signed parent too.
void Updater::require_still_listed(const TrustedRepository& repo, const DelegationRole& d,
                                   const std::string& parent_name) const {
  if (!repo.listed_before.count(d.name) || repo.snapshot.meta.count(d.name)) return;
  if (static_cast<int>(d.keyids.size()) < d.threshold) return;  // vouches for nothing anyway
  throw Error(ErrorCode::rollback,
              fmt::format("the snapshot (version {}) of {} no longer lists {}, which the trusted "
                          "snapshot listed and {} still delegates to",
                          repo.snapshot.file.version, gun_, d.name, parent_name),
              "a role leaves the snapshot only when its parent stops delegating to it; a server "
              "that hides a role can make clients use older signatures");
}

bool Updater::load_delegation(TrustedRepository& repo, const std::string& name) {
  if (repo.roles.count(name)) return true;
  if (repo.skipped.count(name) || repo.failed.count(name)) return false;
  if (!is_valid_delegation_name(name))
    throw Error(ErrorCode::invalid_role_name, fmt::format("invalid role name \"{}\"", name));
  const std::string parent_name = parent_role(name);
  if (parent_name != "targets" && !load_delegation(repo, parent_name)) return false;
  const Targets* parent = repo.role(parent_name);
  if (!parent) return false;
  const DelegationRole* d = parent->find_delegation(name);
  if (!d) return false;
  if (static_cast<int>(d->keyids.size()) < d->threshold) {
    // A role left without keys (notary keeps it after its last key is removed) can no longer
    // vouch for anything; its old signatures are ignored rather than trusted. The owner-signed
    // parent says so, so no server can bring this about.
    repo.skipped[name] =
        fmt::format("it has {} key{}, fewer than its threshold of {}", d->keyids.size(),
                    d->keyids.size() == 1 ? "" : "s", d->threshold);
    repo.warnings.push_back(
        fmt::format("role {} of {} is not usable: {}", name, gun_, repo.skipped[name]));
    return false;
  }
  require_still_listed(repo, *d, parent_name);
  auto meta = repo.snapshot.meta.find(name);
  if (meta == repo.snapshot.meta.end()) {
    // Declared but never signed into (the state right after `delegation add`).
    repo.skipped[name] = "it has no published metadata";
    return false;
  }
  const RoleKeys keys{d->keyids, d->threshold};
  if (auto quick = read_indexed(name, meta->second, parent->delegation_keys, keys)) {
    repo.indexed.insert(name);
    repo.paths[name] = restrict_paths(d->paths, repo.paths[parent_name]);
    repo.roles.emplace(name, std::move(*quick));
    return true;
  }
  std::optional<Targets> parsed;
  try {
    SignedFile f = obtain(name, meta->second, "snapshot");
    parsed = Targets::parse(std::move(f), name);
    Targets& t = *parsed;
    auto verified = verify_signatures(t.file, parent->delegation_keys, keys, name);
    check_not_expired(t.file, clock_.now(), name);
    cache_.store(name, t.file.raw);
    record_index(name, t.file, meta->second, verified);
    repo.paths[name] = restrict_paths(d->paths, repo.paths[parent_name]);
    repo.roles.emplace(name, std::move(t));
    return true;
  } catch (const Error& e) {
    // The snapshot lists the role but its file does not verify: nothing it lists is trusted,
    // and callers refuse what it could have signed rather than take it from elsewhere.
    if (!is_role_file_failure(e)) throw;
    if (parsed && (e.code() == ErrorCode::expired || e.code() == ErrorCode::threshold_not_met))
      repo.unverified.emplace(name, std::move(*parsed));
    repo.failed.emplace(name, e);
    repo.warnings.push_back(
        fmt::format("role {} of {} failed verification and is not used: {}", name, gun_, e.what()));
    return false;
  }
}

void Updater::prefetch_by_hash(const TrustedRepository& repo,
                               const std::vector<std::string>& roles) {
  std::vector<FetchRequest> requests;
  std::vector<std::string> names;
  for (const auto& name : roles) {
    auto meta = repo.snapshot.meta.find(name);
    if (meta == repo.snapshot.meta.end() || !meta->second.sha256()) continue;
    if (auto cached = cache_.load(name, static_cast<std::size_t>(meta->second.length))) {
      try {
        check_file_meta(meta->second, *cached, name, "snapshot");
        continue;  // already current in the cache
      } catch (const Error&) {
      }
    }
    requests.push_back({fmt::format("{}.{}.json", name, to_hex(*meta->second.sha256())),
                        static_cast<std::size_t>(meta->second.length)});
    names.push_back(name);
  }
  if (requests.size() < 2) return;  // a single file is fetched on demand anyway
  auto results = remote_.fetch_all(requests);
  for (size_t i = 0; i < names.size(); ++i) fetched_[names[i]] = std::move(results[i]);
}

void Updater::load_all(TrustedRepository& repo) {
  std::deque<std::string> level{"targets"};
  while (!level.empty()) {
    std::vector<std::string> next;
    for (const auto& name : level) {
      const Targets* t = repo.role(name);
      if (!t) continue;
      for (const auto& d : t->delegations)
        if (!repo.roles.count(d.name) && !repo.skipped.count(d.name) && !repo.failed.count(d.name))
          next.push_back(d.name);
    }
    prefetch_by_hash(repo, next);
    level.clear();
    for (const auto& name : next)
      if (load_delegation(repo, name)) level.push_back(name);
  }
}

}  // namespace dct::trust
