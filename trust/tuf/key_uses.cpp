#include "trust/tuf/key_uses.h"

#include <algorithm>
#include <set>

#include "base/files.h"
#include "trust/crypto/keys.h"
#include "trust/formats/metadata.h"

namespace dct::trust {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kMaxScannedFile = 16 << 20;

std::optional<SignedFile> signed_file(const fs::path& path, const std::string& role) {
  auto bytes = read_file_capped(path, kMaxScannedFile);
  if (!bytes) return std::nullopt;
  try {
    return SignedFile::parse(std::move(*bytes), role);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The canonical IDs of the listed keys (cert keys map to the ID of the key they hold).
bool lists_key(const std::map<std::string, PublicKey>& keys, const std::vector<std::string>& ids,
               const std::string& canonical_id) {
  for (const auto& id : ids) {
    auto it = keys.find(id);
    if (it == keys.end()) continue;
    try {
      if (id == canonical_id || canonical_key_id(it->second) == canonical_id) return true;
    } catch (const std::exception&) {
    }
  }
  return false;
}

void scan_repository(const fs::path& metadata, const std::string& gun, const std::string& id,
                     std::set<std::pair<std::string, std::string>>& uses) {
  if (auto file = signed_file(metadata / "root.json", "root")) {
    try {
      const Root root = Root::parse(std::move(*file));
      for (const auto& [role, keys] : root.roles)
        if (lists_key(root.keys, keys.keyids, id)) uses.insert({gun, role});
    } catch (const std::exception&) {
    }
  }
  std::error_code ec;
  std::vector<std::pair<fs::path, std::string>> targets_files{
      {metadata / "targets.json", "targets"}};
  if (fs::is_directory(metadata / "targets", ec))
    for (fs::recursive_directory_iterator it(metadata / "targets", ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().extension() != ".json" || !it->is_regular_file(ec)) continue;
      fs::path rel = it->path().lexically_relative(metadata);
      rel.replace_extension();
      targets_files.emplace_back(it->path(), rel.generic_string());
    }
  for (const auto& [path, role] : targets_files) {
    auto file = signed_file(path, role);
    if (!file) continue;
    try {
      const Targets t = Targets::parse(std::move(*file), role);
      for (const auto& d : t.delegations)
        if (lists_key(t.delegation_keys, d.keyids, id)) uses.insert({gun, d.name});
    } catch (const std::exception&) {
    }
  }
}

}  // namespace

std::vector<KeyUse> cached_key_uses(const fs::path& trust_dir, const std::string& canonical_id) {
  std::set<std::pair<std::string, std::string>> uses;
  const fs::path tuf = trust_dir / "tuf";
  std::error_code ec;
  if (!fs::is_directory(tuf, ec)) return {};
  for (fs::recursive_directory_iterator it(tuf, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    if (it->path().filename() != "metadata" || !it->is_directory(ec)) continue;
    it.disable_recursion_pending();
    const std::string gun = it->path().parent_path().lexically_relative(tuf).generic_string();
    scan_repository(it->path(), gun, canonical_id, uses);
  }
  std::vector<KeyUse> out;
  for (const auto& [gun, role] : uses) out.push_back({gun, role});
  return out;
}

}  // namespace dct::trust
