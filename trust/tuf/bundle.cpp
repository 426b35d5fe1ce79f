#include "trust/tuf/bundle.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/errors.h"
#include "base/tar.h"
#include "trust/formats/metadata.h"
#include "trust/tuf/cache.h"
#include "trust/tuf/updater.h"

namespace dct::trust {
namespace {

constexpr const char* kBundleMetadataDir = "/metadata/";

bool bundle_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Splits "tuf/<gun>/metadata/<role>.json" into gun and role; false when it does not fit.
bool split_bundle_path(const std::string& name, std::string& gun, std::string& role) {
  const std::string tuf = "tuf/", json = ".json";
  if (name.rfind(tuf, 0) != 0 || name.size() <= tuf.size() + json.size() ||
      name.compare(name.size() - json.size(), json.size(), json) != 0)
    return false;
  std::size_t at = tuf.size();
  while ((at = name.find(kBundleMetadataDir, at)) != std::string::npos) {
    std::string g = name.substr(tuf.size(), at - tuf.size());
    const std::size_t role_at = at + std::string(kBundleMetadataDir).size();
    std::string r = name.substr(role_at, name.size() - json.size() - role_at);
    if (is_safe_gun(g) && is_valid_role_name(r)) {
      gun = std::move(g);
      role = std::move(r);
      return true;
    }
    ++at;
  }
  return false;
}

FetchResult bundle_ok(const std::string& bytes, std::size_t max_size) {
  FetchResult r;
  if (bytes.size() > max_size) {
    r.status = FetchResult::Status::too_large;
    r.error = fmt::format("{} bytes, more than the {} allowed", bytes.size(), max_size);
    return r;
  }
  r.status = FetchResult::Status::ok;
  r.http_status = 200;
  r.body = bytes;
  return r;
}

FetchResult bundle_missing(const std::string& name) {
  FetchResult r;
  r.status = FetchResult::Status::not_found;
  r.http_status = 404;
  r.error = fmt::format("{} is not in the bundle", name);
  return r;
}

long long bundle_root_version(const std::string& bytes) {
  const auto doc = nlohmann::json::parse(bytes, nullptr, false);
  if (!doc.is_object() || !doc.contains("signed") || !doc["signed"].is_object()) return -1;
  const auto& v = doc["signed"].value("version", nlohmann::json());
  return v.is_number_integer() ? v.get<long long>() : -1;
}

}  // namespace

Bundle Bundle::parse(const std::string& archive, const std::string& source) {
  Bundle b;
  b.source_ = source;
  for (auto& entry : tar_read(archive, fmt::format("bundle {}", source), kMaxBundleSize)) {
    std::string gun, role;
    if (!split_bundle_path(entry.name, gun, role))
      throw Error(ErrorCode::malformed_metadata,
                  fmt::format("bundle {} holds {}, which is not trust metadata "
                              "(tuf/<repository>/metadata/<role>.json)",
                              source, entry.name),
                  "make bundles with `docker dct bundle save`");
    auto& repo = b.repos_[gun];
    repo.gun = gun;
    if (!repo.files.emplace(role, std::move(entry.bytes)).second)
      throw Error(ErrorCode::malformed_metadata,
                  fmt::format("bundle {} holds {} twice", source, entry.name));
  }
  if (b.repos_.empty())
    throw Error(ErrorCode::malformed_metadata,
                fmt::format("bundle {} holds no trust metadata", source),
                "make bundles with `docker dct bundle save`");
  return b;
}

std::string Bundle::write(long long mtime) const {
  std::vector<TarEntry> entries;
  for (const auto& [gun, repo] : repos_)
    for (const auto& [role, bytes] : repo.files)
      entries.push_back({fmt::format("tuf/{}/metadata/{}.json", gun, role), bytes, 0644});
  return tar_write(entries, mtime);
}

void Bundle::add(BundleRepository repo) {
  std::string gun = repo.gun;
  repos_[gun] = std::move(repo);
}

const BundleRepository* Bundle::find(const std::string& gun) const {
  auto it = repos_.find(gun);
  return it == repos_.end() ? nullptr : &it->second;
}

FetchResult BundleFetcher::fetch(const FetchRequest& request) {
  const std::string json = ".json";
  const std::string& name = request.name;
  if (name.size() <= json.size() || name.compare(name.size() - json.size(), json.size(), json))
    return bundle_missing(name);
  const std::string stem = name.substr(0, name.size() - json.size());
  if (auto it = repo_.files.find(stem); it != repo_.files.end())
    return bundle_ok(it->second, request.max_size);
  const std::size_t dot = stem.rfind('.');
  if (dot == std::string::npos) return bundle_missing(name);
  const std::string head = stem.substr(0, dot), tail = stem.substr(dot + 1);
  if (bundle_hex64(tail)) {
    if (auto it = repo_.files.find(head); it != repo_.files.end())
      return bundle_ok(it->second, request.max_size);
    return bundle_missing(name);
  }
  if (tail == "root" && !head.empty() &&
      head.find_first_not_of("0123456789") == std::string::npos) {
    auto it = repo_.files.find("root");
    if (it != repo_.files.end() && std::to_string(bundle_root_version(it->second)) == head)
      return bundle_ok(it->second, request.max_size);
  }
  return bundle_missing(name);
}

void verify_bundle_repository(const BundleRepository& files,
                              const std::optional<std::string>& trusted_root, const Clock& clock,
                              const TrustPinning& pinning) {
  MemoryMetadataCache scratch;
  if (trusted_root) scratch.store("root", *trusted_root);
  BundleFetcher fetcher(files);
  Updater updater(files.gun, fetcher, scratch, clock, pinning);
  TrustedRepository repo = updater.update();
  updater.load_all(repo);
  if (!repo.failed.empty()) {
    const auto& [role, error] = *repo.failed.begin();
    throw Error(error.code(), fmt::format("{} of {}: {}", role, files.gun, error.what()),
                error.hint());
  }
}

}  // namespace dct::trust
