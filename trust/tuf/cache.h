#pragma once
// The local metadata cache, in notary's layout: <trust_dir>/tuf/<gun>/metadata/<role>.json.
// Only verified bytes are ever stored; every write is atomic (temp file + rename), files are
// 0600 and directories 0700.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/files.h"

namespace dct::trust {

class MetadataCache {
 public:
  virtual ~MetadataCache() = default;
  // nullopt when missing or larger than max_size (an oversized cache file is never read).
  virtual std::optional<std::string> load(const std::string& role, std::size_t max_size) = 0;
  virtual void store(const std::string& role, const std::string& bytes) = 0;
  // For data that exists nowhere else yet (a repository initialized here, not yet published):
  // on disk before this returns.
  virtual void store_synced(const std::string& role, const std::string& bytes) {
    store(role, bytes);
  }
  virtual void remove(const std::string& role) = 0;
  // Bytes [from, to) of what load() would give, in pieces (see read_file_in_chunks); false
  // when it gives nullopt.
  virtual bool read_chunks(const std::string& role, std::size_t max_size, std::size_t from,
                           std::size_t to, const ChunkSink& sink) {
    auto bytes = load(role, max_size);
    if (bytes && from < bytes->size()) sink(std::string_view(*bytes).substr(from, to - from));
    return bytes.has_value();
  }
};

class FileMetadataCache final : public MetadataCache {
 public:
  FileMetadataCache(const std::filesystem::path& trust_dir, const std::string& gun);
  std::optional<std::string> load(const std::string& role, std::size_t max_size) override;
  void store(const std::string& role, const std::string& bytes) override;
  void store_synced(const std::string& role, const std::string& bytes) override;
  void remove(const std::string& role) override;
  bool read_chunks(const std::string& role, std::size_t max_size, std::size_t from, std::size_t to,
                   const ChunkSink& sink) override;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path path_for(const std::string& role) const;
  std::filesystem::path dir_;
};

class MemoryMetadataCache final : public MetadataCache {
 public:
  std::optional<std::string> load(const std::string& role, std::size_t max_size) override;
  void store(const std::string& role, const std::string& bytes) override { files[role] = bytes; }
  void remove(const std::string& role) override { files.erase(role); }
  std::map<std::string, std::string> files;
};

// Holds writes back while held, so that an update that fails half-way (a verified timestamp,
// then a forged targets file) leaves the underlying cache exactly as it was. Reads see the held
// writes. Not held, it writes straight through.
class StagedMetadataCache final : public MetadataCache {
 public:
  explicit StagedMetadataCache(MetadataCache& base) : base_(base) {}
  std::optional<std::string> load(const std::string& role, std::size_t max_size) override;
  void store(const std::string& role, const std::string& bytes) override;
  void store_synced(const std::string& role, const std::string& bytes) override;
  void remove(const std::string& role) override;
  bool read_chunks(const std::string& role, std::size_t max_size, std::size_t from, std::size_t to,
                   const ChunkSink& sink) override;
  void hold() { held_ = true; }
  void commit();   // writes what was held back, in order, and stops holding
  void discard();  // forgets it and stops holding

 private:
  MetadataCache& base_;
  bool held_ = false;
  struct Pending {
    std::string role;
    std::optional<std::string> bytes;  // nullopt: remove
    bool synced = false;
  };
  std::vector<Pending> pending_;
};

// Path of a repository's directory below <trust_dir>/tuf. The GUN is validated first so that
// it can never escape that directory (no "..", no absolute paths, no empty segments).
std::filesystem::path repository_dir(const std::filesystem::path& trust_dir,
                                     const std::string& gun);
bool is_safe_gun(const std::string& gun);

}  // namespace dct::trust
