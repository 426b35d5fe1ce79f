#include "trust/tuf/cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "base/errors.h"
#include "base/files.h"
#include "trust/formats/metadata.h"

namespace dct::trust {
namespace fs = std::filesystem;

bool is_safe_gun(const std::string& gun) {
  if (gun.empty() || gun.size() > 255 || gun.front() == '/' || gun.back() == '/') return false;
  size_t start = 0;
  while (start <= gun.size()) {
    size_t end = gun.find('/', start);
    if (end == std::string::npos) end = gun.size();
    std::string_view seg(gun.data() + start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = end + 1;
  }
  for (unsigned char c : gun)
    if (c < 0x21 || c == '\\' || c == 0x7f) return false;
  return true;
}

fs::path repository_dir(const fs::path& trust_dir, const std::string& gun) {
  if (!is_safe_gun(gun))
    throw Error(ErrorCode::invalid_reference, fmt::format("invalid repository name \"{}\"", gun));
  return trust_dir / "tuf" / fs::path(gun);
}

FileMetadataCache::FileMetadataCache(const fs::path& trust_dir, const std::string& gun)
    : dir_(repository_dir(trust_dir, gun) / "metadata") {}

fs::path FileMetadataCache::path_for(const std::string& role) const {
  if (!is_valid_role_name(role))
    throw Error(ErrorCode::invalid_role_name, fmt::format("invalid role name \"{}\"", role));
  return dir_ / (role + ".json");
}

std::optional<std::string> FileMetadataCache::load(const std::string& role, std::size_t max_size) {
  return read_file_capped(path_for(role), max_size);
}

bool FileMetadataCache::read_chunks(const std::string& role, std::size_t max_size, std::size_t from,
                                    std::size_t to, const ChunkSink& sink) {
  return read_file_in_chunks(path_for(role), max_size, from, to, sink);
}

void FileMetadataCache::store(const std::string& role, const std::string& bytes) {
  const auto path = path_for(role);
  if (auto current = read_file_capped(path, bytes.size()); current && *current == bytes) return;
  // The root is the anchor of trust on first use: losing it would mean trusting anew.
  write_file_atomic(path, bytes, 0600, role == "root" ? Durability::synced : Durability::unsynced);
}

void FileMetadataCache::store_synced(const std::string& role, const std::string& bytes) {
  write_file_atomic(path_for(role), bytes, 0600, Durability::synced);
}

void FileMetadataCache::remove(const std::string& role) {
  std::error_code ec;
  fs::remove(path_for(role), ec);
}

std::optional<std::string> StagedMetadataCache::load(const std::string& role,
                                                     std::size_t max_size) {
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    if (it->role != role) continue;
    if (!it->bytes || it->bytes->size() > max_size) return std::nullopt;
    return it->bytes;
  }
  return base_.load(role, max_size);
}

bool StagedMetadataCache::read_chunks(const std::string& role, std::size_t max_size,
                                      std::size_t from, std::size_t to, const ChunkSink& sink) {
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    if (it->role != role) continue;
    if (!it->bytes || it->bytes->size() > max_size) return false;
    if (from < it->bytes->size()) sink(std::string_view(*it->bytes).substr(from, to - from));
    return true;
  }
  return base_.read_chunks(role, max_size, from, to, sink);
}

void StagedMetadataCache::store(const std::string& role, const std::string& bytes) {
  if (held_)
    pending_.push_back({role, bytes, false});
  else
    base_.store(role, bytes);
}

void StagedMetadataCache::store_synced(const std::string& role, const std::string& bytes) {
  if (held_)
    pending_.push_back({role, bytes, true});
  else
    base_.store_synced(role, bytes);
}

void StagedMetadataCache::remove(const std::string& role) {
  if (held_)
    pending_.push_back({role, std::nullopt, false});
  else
    base_.remove(role);
}

void StagedMetadataCache::commit() {
  auto pending = std::move(pending_);
  pending_.clear();
  held_ = false;
  for (const auto& p : pending) {
    if (!p.bytes)
      base_.remove(p.role);
    else if (p.synced)
      base_.store_synced(p.role, *p.bytes);
    else
      base_.store(p.role, *p.bytes);
  }
}

void StagedMetadataCache::discard() {
  pending_.clear();
  held_ = false;
}

std::optional<std::string> MemoryMetadataCache::load(const std::string& role,
                                                     std::size_t max_size) {
  auto it = files.find(role);
  if (it == files.end() || it->second.size() > max_size) return std::nullopt;
  return it->second;
}

}  // namespace dct::trust
