#include "trust/tuf/verified_index.h"

#include <fmt/format.h>

#include <charconv>
#include <system_error>

#include "base/errors.h"
#include "base/files.h"

namespace dct::trust {
namespace {

constexpr std::size_t kMaxIndexSize = 64u << 20;
// The last line: an index cut short is not taken for one that lacks a tag.
constexpr std::string_view kIndexEnd = "\nend\n";

std::string index_header(const std::string& role, const std::string& sha256_hex) {
  return fmt::format("dct verified index 1\nrole {}\nsha256 {}\n", role, sha256_hex);
}

bool plain_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

std::optional<std::size_t> number_until(std::string_view text, std::size_t& pos, char end) {
  std::size_t value = 0;
  const char* first = text.data() + pos;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr == first || ptr == last || *ptr != end) return std::nullopt;
  pos = static_cast<std::size_t>(ptr - text.data()) + 1;
  return value;
}

}  // namespace

std::optional<std::string> build_verified_index(const std::string& role, std::string_view raw,
                                                const std::string& canonical,
                                                const std::string& sha256_hex) {
  std::string out = index_header(role, sha256_hex);
  auto layout = scan_targets_layout(raw, [&](std::string_view key, ByteRange entry) {
    if (plain_name(key))
      fmt::format_to(std::back_inserter(out), "{}\t{}\t{}\n", key, entry.offset, entry.length);
    return true;
  });
  if (!layout || layout->signed_value.of(raw) != canonical) return std::nullopt;
  out += kIndexEnd.substr(1);
  return out;
}

bool index_matches(std::string_view index, const std::string& role, const std::string& sha256_hex) {
  const std::string header = index_header(role, sha256_hex);
  return index.size() >= header.size() + kIndexEnd.size() - 1 &&
         index.substr(0, header.size()) == header &&
         index.substr(index.size() - kIndexEnd.size()) == kIndexEnd;
}

std::optional<ByteRange> index_lookup(std::string_view index, const std::string& role,
                                      const std::string& sha256_hex, const std::string& tag) {
  if (!plain_name(tag) || !index_matches(index, role, sha256_hex)) return std::nullopt;
  const std::size_t header_size = index.find("\nsha256 ") + 8 + sha256_hex.size();
  const std::string needle = fmt::format("\n{}\t", tag);
  const std::size_t at = index.find(needle, header_size);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t pos = at + needle.size();
  auto offset = number_until(index, pos, '\t');
  if (!offset) return std::nullopt;
  auto length = number_until(index, pos, '\n');
  if (!length) return std::nullopt;
  return ByteRange{*offset, *length};
}

std::optional<Targets> read_indexed_target(std::string_view raw, const std::string& role,
                                           ByteRange entry, const std::string& tag) {
  if (entry.length == 0 || entry.offset > raw.size() || entry.length > raw.size() - entry.offset)
    return std::nullopt;
  int named = 0;
  bool found = false;
  auto layout = scan_targets_layout(raw, [&](std::string_view key, ByteRange at) {
    if (key == tag) {
      ++named;
      found = found || (at.offset == entry.offset && at.length == entry.length);
    }
    return true;
  });
  if (!layout || named != 1 || !found) return std::nullopt;

  // The fields a lookup needs, put together into a small document for the strict parser.
  std::string doc = "{\"signed\":{";
  auto field = [&](const char* name, ByteRange range) {
    if (range.present()) doc += fmt::format("\"{}\":{},", name, range.of(raw));
  };
  field("_type", layout->type);
  field("delegations", layout->delegations);
  field("expires", layout->expires);
  field("version", layout->version);
  doc += fmt::format("\"targets\":{{{}}}}}", entry.of(raw));
  if (layout->signatures.present())
    doc += fmt::format(",\"signatures\":{}", layout->signatures.of(raw));
  doc += "}";

  Targets t = Targets::parse(SignedFile::parse(std::move(doc), role), role);
  if (t.targets.size() != 1 || !t.targets.count(tag)) return std::nullopt;
  t.file.canonical = std::string(layout->signed_value.of(raw));
  t.file.raw.clear();
  return t;
}

std::filesystem::path VerifiedIndexStore::path_for(const std::string& role) const {
  if (!is_valid_role_name(role))
    throw Error(ErrorCode::invalid_role_name, fmt::format("invalid role name \"{}\"", role));
  return dir_ / (role + ".index");
}

std::optional<std::string> VerifiedIndexStore::load(const std::string& role) const {
  if (auto it = pending_.find(role); it != pending_.end()) return it->second;
  return read_file_capped(path_for(role), kMaxIndexSize);
}

void VerifiedIndexStore::store(const std::string& role, const std::string& index) const {
  if (held_) {
    path_for(role);  // refuses a bad role name now, not at commit
    pending_[role] = index;
    return;
  }
  write_file_atomic(path_for(role), index, 0600, Durability::unsynced);
}

void VerifiedIndexStore::remove(const std::string& role) const {
  if (held_) {
    pending_[role] = std::nullopt;
    return;
  }
  std::error_code ec;
  std::filesystem::remove(path_for(role), ec);
}

void VerifiedIndexStore::commit() {
  held_ = false;
  auto pending = std::move(pending_);
  pending_.clear();
  // An index costs speed when missing, never correctness: a failed write is left out.
  for (const auto& [role, index] : pending) {
    try {
      if (index)
        store(role, *index);
      else
        remove(role);
    } catch (const std::exception&) {
    }
  }
}

}  // namespace dct::trust
