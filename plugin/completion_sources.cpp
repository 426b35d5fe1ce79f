#include "plugin/completion_sources.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "base/encoding.h"
#include "base/files.h"
#include "registry/reference.h"

namespace dct::plugin {
namespace fs = std::filesystem;

namespace {

// Bounds on what one completion reads, so that a huge or hostile trust dir stays quick.
constexpr std::size_t kCompletionMaxEntries = 20000;
constexpr int kCompletionMaxDepth = 8;
constexpr std::size_t kCompletionMaxMetadata = 8u << 20;

bool completion_role_name_ok(const std::string& role) {
  if (role.empty() || role.size() > 255) return false;
  return std::all_of(role.begin(), role.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '/' || c == '_' || c == '-' || c == '.';
  });
}

nlohmann::json completion_read_json(const fs::path& path) {
  auto text = read_file_capped(path, kCompletionMaxMetadata);
  if (!text) return nullptr;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

const nlohmann::json* completion_signed_part(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto s = j.find("signed");
  if (s == j.end() || !s->is_object()) return nullptr;
  auto part = s->find(key);
  return part == s->end() ? nullptr : &*part;
}

// The roles with metadata below <metadata>/targets/, as "targets/<name>".
std::vector<std::string> completion_delegation_files(const fs::path& metadata) {
  std::vector<std::string> roles;
  std::error_code ec;
  const fs::path dir = metadata / "targets";
  if (!fs::is_directory(fs::symlink_status(dir, ec))) return roles;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  for (std::size_t seen = 0; !ec && it != end && seen < kCompletionMaxEntries;
       it.increment(ec), ++seen) {
    if (it.depth() >= kCompletionMaxDepth) it.disable_recursion_pending();
    const fs::path& p = it->path();
    if (p.extension() != ".json" || !it->is_regular_file(ec)) continue;
    fs::path rel = fs::path("targets") / p.lexically_relative(dir);
    rel.replace_extension();
    if (const std::string role = rel.generic_string(); completion_role_name_ok(role))
      roles.push_back(role);
  }
  return roles;
}

int completion_role_rank(const std::string& role) {
  if (role == "targets/releases") return 0;
  if (role == "targets") return 1;
  return 2;
}

}  // namespace

std::vector<CachedRepository> cached_repositories(const fs::path& trust_dir) {
  std::vector<CachedRepository> repos;
  std::error_code ec;
  const fs::path tuf = trust_dir / "tuf";
  if (!fs::is_directory(tuf, ec)) return repos;
  fs::recursive_directory_iterator it(tuf, fs::directory_options::skip_permission_denied, ec), end;
  for (std::size_t seen = 0; !ec && it != end && seen < kCompletionMaxEntries;
       it.increment(ec), ++seen) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    // A repository has cached metadata, staged changes, or both.
    if (name == "metadata" || name == "changelist") {
      it.disable_recursion_pending();
      if (it.depth() == 0) continue;
      const std::string gun = p.parent_path().lexically_relative(tuf).generic_string();
      if (!repos.empty() && repos.back().gun == gun) continue;
      try {
        const registry::Reference ref = registry::parse_repository(gun);
        repos.push_back({gun, ref.gun() == gun ? ref.familiar() : gun});
      } catch (...) {
        // Not a repository name: a directory of something else.
      }
      continue;
    }
    if (it.depth() >= kCompletionMaxDepth) it.disable_recursion_pending();
  }
  std::sort(repos.begin(), repos.end(),
            [](const CachedRepository& a, const CachedRepository& b) { return a.gun < b.gun; });
  repos.erase(std::unique(repos.begin(), repos.end(),
                          [](const CachedRepository& a, const CachedRepository& b) {
                            return a.gun == b.gun;
                          }),
              repos.end());
  return repos;
}

std::vector<std::string> cached_delegations(const fs::path& trust_dir, const std::string& gun) {
  const fs::path metadata = trust_dir / "tuf" / gun / "metadata";
  std::set<std::string> roles;
  for (auto& r : completion_delegation_files(metadata)) roles.insert(std::move(r));
  const nlohmann::json targets = completion_read_json(metadata / "targets.json");
  if (const auto* d = completion_signed_part(targets, "delegations"); d && d->is_object()) {
    if (auto list = d->find("roles"); list != d->end() && list->is_array())
      for (const auto& role : *list)
        if (role.is_object() && role.contains("name") && role["name"].is_string())
          if (const std::string name = role["name"].get<std::string>();
              completion_role_name_ok(name) && name.rfind("targets/", 0) == 0)
            roles.insert(name);
  }
  return {roles.begin(), roles.end()};
}

std::vector<CachedTag> cached_tags(const fs::path& trust_dir, const std::string& gun) {
  const fs::path metadata = trust_dir / "tuf" / gun / "metadata";
  std::vector<std::string> roles = {"targets"};
  for (auto& r : completion_delegation_files(metadata)) roles.push_back(std::move(r));
  std::stable_sort(roles.begin(), roles.end(), [](const std::string& a, const std::string& b) {
    return completion_role_rank(a) < completion_role_rank(b);
  });
  std::map<std::string, CachedTag> tags;
  for (const auto& role : roles) {
    const nlohmann::json j = completion_read_json(metadata / (role + ".json"));
    const auto* targets = completion_signed_part(j, "targets");
    if (!targets || !targets->is_object()) continue;
    for (const auto& [tag, target] : targets->items()) {
      if (!registry::is_valid_tag(tag) || tags.count(tag)) continue;
      CachedTag t{tag, "", role};
      if (target.is_object() && target.contains("hashes") && target["hashes"].is_object()) {
        const auto& hashes = target["hashes"];
        if (auto h = hashes.find("sha256"); h != hashes.end() && h->is_string())
          if (auto raw = base64_decode(h->get<std::string>()); raw && raw->size() == 32)
            t.digest = "sha256:" + to_hex(*raw);
      }
      tags.emplace(tag, std::move(t));
    }
  }
  std::vector<CachedTag> out;
  for (auto& [_, t] : tags) out.push_back(std::move(t));
  return out;
}

}  // namespace dct::plugin
