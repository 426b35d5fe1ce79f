#pragma once
// The key that seals verified indexes (see verified_index.h): 32 random bytes made by this
// client, kept as hex in <trust dir>/dct/index-seal.key, 0600 in a 0700 directory, never
// printed or sent. An index is used only when its MAC under this key holds, so an index this
// client did not write after a full verification (edited, copied from another trust dir or
// machine, restored from a cache without the key) is never trusted.
#include <filesystem>
#include <optional>
#include <string>

namespace dct::trust {

class IndexSeal {
 public:
  explicit IndexSeal(std::filesystem::path key_file) : file_(std::move(key_file)) {}
  static std::filesystem::path key_file_in(const std::filesystem::path& trust_dir);

  // The key (raw bytes) when the file holds one that only its owner, this user, can read;
  // nullopt when it is missing, damaged, or readable or writable by others.
  std::optional<std::string> key() const;
  // The key, a new one when there is no usable one. A new key reaches the disk at commit()
  // (or at once when not held), replacing the unusable file; the indexes sealed with an old
  // key are then simply not used.
  std::string key_making_one() const;

  void hold() { held_ = true; }
  void commit();

 private:
  void write_pending() const;

  std::filesystem::path file_;
  bool held_ = false;
  mutable bool loaded_ = false;
  mutable std::optional<std::string> key_;
  mutable bool unwritten_ = false;
};

}  // namespace dct::trust
