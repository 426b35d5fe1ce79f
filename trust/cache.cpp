#include "trust/cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "trust/errors.h"
#include "trust/metadata.h"

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

// What to do about a failed write, by its cause; whatever was stored before stays intact.
static std::string write_hint(int err) {
  if (err == ENOSPC || err == EDQUOT)
    return "free some space where the trust dir is, then run the command again";
  if (err == EROFS || err == EACCES || err == EPERM)
    return "the trust dir must be writable for this command: check its mount and permissions";
  return {};
}

static Error write_error(const fs::path& path, int err) {
  return Error(ErrorCode::io_failure,
               fmt::format("cannot write {}: {}", path.string(), std::strerror(err)),
               write_hint(err));
}

static void make_private_dirs(const fs::path& dir) {
  if (dir.empty() || fs::exists(dir)) return;
  make_private_dirs(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot create directory {}: {}", dir.string(), std::strerror(errno)),
                write_hint(errno));
}

void write_file_atomic(const fs::path& path, const std::string& bytes, unsigned mode,
                       Durability durability) {
  make_private_dirs(path.parent_path());
  std::random_device rd;
  fs::path tmp = path;
  tmp += fmt::format(".tmp-{:08x}", rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw write_error(path, errno);
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw write_error(path, err);
    }
    off += static_cast<size_t>(n);
  }
  const bool synced = durability == Durability::unsynced || ::fsync(fd) == 0;
  const int sync_err = errno;
  if (::close(fd) != 0 || !synced) {
    const int err = synced ? errno : sync_err;
    ::unlink(tmp.c_str());
    throw write_error(path, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw write_error(path, err);
  }
}

std::optional<std::string> read_file_capped(const fs::path& path, std::size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::size_t>(st.st_size) > max_size) {
    ::close(fd);
    return std::nullopt;
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::read(fd, out.data() + off, out.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(off);
  return out;
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
