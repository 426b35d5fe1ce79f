#pragma once
// A small ustar (POSIX.1-1988) writer and reader for regular files, enough for trust bundles:
// the archives it writes extract with any tar, and it reads back what GNU tar and bsdtar write
// for such files (ustar, GNU long names, pax path records). Nothing is extracted to disk here.
#include <cstddef>
#include <string>
#include <vector>

namespace dct {

struct TarEntry {
  std::string name;  // relative path with '/' separators
  std::string bytes;
  unsigned mode = 0644;
};

// Throws dct::Error(invalid_argument) for a name that is empty, absolute, holds "..", or is too
// long for ustar (255 bytes, split at a '/' into 155 + 100).
std::string tar_write(const std::vector<TarEntry>& entries, long long mtime);

// Regular files only, in archive order; directories are skipped. Throws
// dct::Error(malformed_metadata) naming `what` for a damaged archive, a bad checksum, a link or
// device entry, an unsafe name, or more than max_total bytes of file data.
std::vector<TarEntry> tar_read(const std::string& archive, const std::string& what,
                               std::size_t max_total);

}  // namespace dct
