#include "trust/crypto/key_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/errors.h"
#include "base/files.h"
#include "trust/crypto/key_file.h"

namespace dct::trust {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxKeyFile = 1 << 20;  // key files are a few hundred bytes
constexpr int kMaxAttempts = 3;

// The whole file, never through a symbolic link. On failure, nullopt and `why` says why.
std::optional<Secret> read_key_text(const fs::path& path, std::string& why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    why = "not a regular file";
    return std::nullopt;
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxKeyFile) {
    ::close(fd);
    why = "too large for a key file";
    return std::nullopt;
  }
  Secret text(std::string(static_cast<std::size_t>(st.st_size), '\0'));
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::read(fd, text.mutable_str().data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      why = std::strerror(errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    off += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.mutable_str().resize(off);
  return text;
}

// What a file's place in private/ says about its key (see the layouts in key_store.h).
struct PathFacts {
  std::string id;
  std::string role;  // from a 0.1 "<id>_<role>.key" name, or "root" for root_keys/
  std::string gun;   // the directory below tuf_keys/
  bool top = false;  // directly in private/: notary 0.7's place
};

PathFacts facts_of(const fs::path& relative) {
  std::vector<std::string> parts;
  for (const auto& part : relative) parts.push_back(part.string());
  PathFacts facts;
  facts.id = relative.stem().string();
  facts.top = parts.size() == 1;
  if (parts.size() < 2 || (parts[0] != "root_keys" && parts[0] != "tuf_keys")) return facts;
  if (const auto underscore = facts.id.find('_'); underscore != std::string::npos) {
    facts.role = facts.id.substr(underscore + 1);
    facts.id.resize(underscore);
  }
  if (parts[0] == "root_keys") {
    if (facts.role.empty()) facts.role = "root";
  } else {
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
      if (!facts.gun.empty()) facts.gun += '/';
      facts.gun += parts[i];
    }
  }
  return facts;
}

std::string describe(const std::string& role, const std::string& id) {
  return role.empty() ? fmt::format("key {}", id) : fmt::format("{} key {}", role, id);
}

// A second owner of the same OpenSSL key (reference counted), for the in-memory cache.
PrivateKey share(const PrivateKey& key) {
  EVP_PKEY_up_ref(key.evp());
  return PrivateKey::from_evp(ossl::PKey(key.evp()));
}

void make_private_dir(const fs::path& dir) {
  if (fs::exists(dir)) return;
  make_private_dir(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot create directory {}: {}", dir.string(), std::strerror(errno)));
}

}  // namespace

KeyStore::KeyStore(fs::path trust_dir) : dir_(std::move(trust_dir) / "private") {}

std::vector<KeyEntry> KeyStore::list(std::vector<std::string>* warnings) const {
  auto warn = [&](const fs::path& path, const std::string& why) {
    if (warnings) warnings->push_back(fmt::format("skipping {}: {}", path.string(), why));
  };
  struct Found {
    KeyEntry entry;
    bool top = false;
  };
  std::vector<Found> found;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) return {};
  fs::recursive_directory_iterator it(dir_, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    if (warnings)
      warnings->push_back(fmt::format("cannot list {}: {}", dir_.string(), ec.message()));
    return {};
  }
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) {
      warn(dir_, ec.message());
      break;
    }
    const fs::path& path = it->path();
    if (path.extension() != ".key") continue;
    std::error_code stat_ec;
    if (!fs::is_regular_file(it->symlink_status(stat_ec)) || stat_ec) continue;
    const PathFacts facts = facts_of(path.lexically_relative(dir_));
    std::string why;
    auto text = read_key_text(path, why);
    if (!text) {
      warn(path, why);
      continue;
    }
    const auto info = key_file_info(text->view());
    if (!info) {
      warn(path, "not a private key file");
      continue;
    }
    if (facts.id.empty()) {
      warn(path, "no key ID in the file name");
      continue;
    }
    KeyEntry entry;
    entry.id = facts.id;
    entry.role = facts.role.empty() ? info->role : facts.role;
    entry.gun = facts.gun.empty() ? info->gun : facts.gun;
    entry.path = path;
    entry.encrypted = info->encrypted;
    entry.location_label = dir_.string();
    found.push_back({std::move(entry), facts.top});
  }
  // By ID, notary 0.7's file first, then by path: the first of each ID is the one to use.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    if (a.entry.id != b.entry.id) return a.entry.id < b.entry.id;
    if (a.top != b.top) return a.top;
    return a.entry.path < b.entry.path;
  });
  std::vector<KeyEntry> keys;
  for (auto& f : found)
    if (keys.empty() || keys.back().id != f.entry.id) keys.push_back(std::move(f.entry));
  return keys;
}

std::optional<KeyEntry> KeyStore::find(const std::string& id) const {
  if (id.empty()) return std::nullopt;
  // notary 0.7's file, private/<id>.key, wins over any other: look there before listing.
  if (id.find('/') == std::string::npos && id != "." && id != "..") {
    const fs::path path = dir_ / (id + ".key");
    std::error_code ec;
    std::string why;
    if (fs::is_regular_file(fs::symlink_status(path, ec)) && !ec) {
      if (auto text = read_key_text(path, why)) {
        if (const auto info = key_file_info(text->view())) {
          KeyEntry entry;
          entry.id = id;
          entry.role = info->role;
          entry.gun = info->gun;
          entry.path = path;
          entry.encrypted = info->encrypted;
          entry.location_label = dir_.string();
          return entry;
        }
      }
    }
  }
  for (auto& entry : list())
    if (entry.id == id) return std::move(entry);
  return std::nullopt;
}

std::vector<KeyEntry> KeyStore::find_role(const std::string& role, const std::string& gun) const {
  std::vector<KeyEntry> keys;
  for (auto& entry : list())
    if (entry.role == role && (gun.empty() || entry.gun.empty() || entry.gun == gun))
      keys.push_back(std::move(entry));
  return keys;
}

const PrivateKey& KeyStore::load(const std::string& id, PassphraseRetriever& passphrases) {
  if (auto it = loaded_.find(id); it != loaded_.end()) return it->second;
  const auto entry = find(id);
  if (!entry)
    throw Error(ErrorCode::key_not_found,
                fmt::format("there is no private key with ID {} in {}", id, dir_.string()));
  std::string why;
  const auto text = read_key_text(entry->path, why);
  if (!text)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot read {}: {}", entry->path.string(), why));

  auto open = [&](std::string_view passphrase) -> std::optional<PrivateKey> {
    try {
      return read_key_file(text->view(), passphrase);
    } catch (const IncorrectPassphrase&) {
      return std::nullopt;
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("cannot load the {} from {}: {}", describe(entry->role, id),
                                        entry->path.string(), e.what()));
    }
  };
  std::optional<PrivateKey> key;
  if (!entry->encrypted) key = open("");
  for (int attempt = 0; !key && attempt < kMaxAttempts; ++attempt) {
    // Asked outside open(): whatever the retriever throws ends the loop unchanged.
    const Secret passphrase =
        passphrases.get(PassphraseRequest{id, entry->role, entry->gun, false, attempt});
    key = open(passphrase.view());
  }
  if (!key) throw IncorrectPassphrase("wrong passphrase for the " + describe(entry->role, id));
  if (key->id() != id)
    throw Error(ErrorCode::key_id_mismatch,
                fmt::format("{} holds the key {}, not {}", entry->path.string(), key->id(), id));
  return loaded_.emplace(id, std::move(*key)).first->second;
}

std::string KeyStore::add(const PrivateKey& key, const std::string& role, const std::string& gun,
                          PassphraseRetriever& passphrases) {
  const std::string id = key.id();
  if (role.empty())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the key {} needs a role to be stored", id));
  if (has(id)) return id;
  const Secret passphrase = passphrases.get(PassphraseRequest{id, role, gun, true, 0});
  if (passphrase.empty())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("an empty passphrase is not allowed for the {}: private keys are "
                            "never stored unencrypted",
                            describe(role, id)));
  const Secret text = write_key_file(key, role, key_file_gun(role, gun), passphrase.view());
  make_private_dir(dir_);
  write_file_atomic(dir_ / (id + ".key"), text.str(), 0600);
  loaded_.emplace(id, share(key));
  return id;
}

bool KeyStore::remove(const std::string& id) {
  loaded_.erase(id);
  bool removed = false;
  for (auto entry = find(id); entry; entry = find(id)) {
    std::error_code ec;
    if (fs::remove(entry->path, ec)) removed = true;
    if (ec)
      throw Error(ErrorCode::io_failure,
                  fmt::format("cannot delete {}: {}", entry->path.string(), ec.message()));
  }
  return removed;
}

}  // namespace dct::trust
