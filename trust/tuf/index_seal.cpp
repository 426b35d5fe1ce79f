#include "trust/tuf/index_seal.h"

#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/files.h"

namespace dct::trust {
namespace {

constexpr std::size_t kKeySize = 32;

std::optional<std::string> read_private_key_file(const std::filesystem::path& path) {
  struct stat st {};
  // A key that another user could read or replace seals nothing.
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & 077) != 0)
    return std::nullopt;
  auto text = read_file_capped(path, 2 * kKeySize + 1);
  if (!text || text->size() != 2 * kKeySize + 1 || text->back() != '\n') return std::nullopt;
  text->pop_back();
  return from_hex(*text);
}

}  // namespace

std::filesystem::path IndexSeal::key_file_in(const std::filesystem::path& trust_dir) {
  return trust_dir / "dct" / "index-seal.key";
}

std::optional<std::string> IndexSeal::key() const {
  if (!loaded_) {
    key_ = read_private_key_file(file_);
    if (key_ && key_->size() != kKeySize) key_.reset();
    loaded_ = true;
  }
  return key_;
}

std::string IndexSeal::key_making_one() const {
  if (auto existing = key()) return *existing;
  std::string fresh(kKeySize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(fresh.data()), static_cast<int>(kKeySize)) != 1)
    throw Error(ErrorCode::internal, "no randomness for the verified index key");
  key_ = fresh;
  unwritten_ = true;
  if (!held_) write_pending();
  return fresh;
}

void IndexSeal::commit() {
  held_ = false;
  write_pending();
}

void IndexSeal::write_pending() const {
  if (!unwritten_ || !key_) return;
  unwritten_ = false;
  write_file_atomic(file_, to_hex(*key_) + "\n", 0600, Durability::unsynced);
}

}  // namespace dct::trust
