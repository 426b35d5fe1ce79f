#include "base/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "base/errors.h"

namespace dct {
namespace fs = std::filesystem;
namespace {

// What to do about a failed write, by its cause; whatever was stored before stays intact.
std::string write_hint(int err) {
  if (err == ENOSPC || err == EDQUOT)
    return "free some space where the trust dir is, then run the command again";
  if (err == EROFS || err == EACCES || err == EPERM)
    return "the trust dir must be writable for this command: check its mount and permissions";
  return {};
}

Error write_error(const fs::path& path, int err) {
  return Error(ErrorCode::io_failure,
               fmt::format("cannot write {}: {}", path.string(), std::strerror(err)),
               write_hint(err));
}

void make_private_dirs(const fs::path& dir) {
  if (dir.empty() || fs::exists(dir)) return;
  make_private_dirs(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot create directory {}: {}", dir.string(), std::strerror(errno)),
                write_hint(errno));
}

// An open descriptor of the regular file at `path` and its size, or -1 when it is missing, not
// a regular file, or larger than max_size.
int open_capped(const fs::path& path, std::size_t max_size, std::size_t& size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::size_t>(st.st_size) > max_size) {
    ::close(fd);
    return -1;
  }
  size = static_cast<std::size_t>(st.st_size);
  return fd;
}

}  // namespace

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

bool read_file_in_chunks(const fs::path& path, std::size_t max_size, std::size_t from,
                         std::size_t to, const ChunkSink& sink) {
  std::size_t size = 0;
  const int fd = open_capped(path, max_size, size);
  if (fd < 0) return false;
  std::string buffer(std::size_t{64} << 10, '\0');
  std::size_t at = from;
  const std::size_t end = std::min(to, size);
  while (at < end) {
    ssize_t n =
        ::pread(fd, buffer.data(), std::min(buffer.size(), end - at), static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sink(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    at += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return true;
}

std::optional<std::string> read_file_capped(const fs::path& path, std::size_t max_size) {
  std::size_t size = 0;
  const int fd = open_capped(path, max_size, size);
  if (fd < 0) return std::nullopt;
  std::string out(size, '\0');
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

}  // namespace dct
