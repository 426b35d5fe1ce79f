#include "trust/tuf/verified_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <system_error>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/files.h"
#include "base/run_beside.h"
#include "trust/tuf/checks.h"

namespace dct::trust {
namespace {

constexpr std::size_t kMaxIndexSize = 64u << 20;
constexpr std::string_view kMagic = "dct verified index 2\n";
// The seal is the last line; "end" before it: an index cut short is not taken for one that
// lacks a tag.
constexpr std::string_view kEnd = "\nend\n";
constexpr std::string_view kMacPrefix = "mac ";
constexpr std::size_t kMacHexSize = 64;

bool plain_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

bool plain_word(std::string_view word) {
  if (word.empty()) return false;
  for (unsigned char c : word)
    if (c <= 0x20 || c == 0x7f) return false;
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

// The parts of a file a lookup reads besides the entry, in the order the index lists them.
constexpr std::size_t kLayoutFields = 5;
std::array<ByteRange, kLayoutFields> layout_fields(const TargetsLayout& layout) {
  return {layout.type, layout.version, layout.expires, layout.delegations, layout.signatures};
}

std::optional<TargetsLayout> parse_layout(std::string_view text) {
  std::array<std::size_t, 10> numbers{};
  std::size_t pos = 0;
  const std::string line = std::string(text) + "\n";
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    auto n = number_until(line, pos, i + 1 == numbers.size() ? '\n' : ' ');
    if (!n) return std::nullopt;
    numbers[i] = *n;
  }
  if (pos != line.size()) return std::nullopt;
  TargetsLayout out;
  ByteRange* fields[] = {&out.type, &out.version, &out.expires, &out.delegations, &out.signatures};
  for (std::size_t i = 0; i < 5; ++i) *fields[i] = ByteRange{numbers[2 * i], numbers[2 * i + 1]};
  return out;
}

std::string seal_of(std::string_view body, std::string_view seal_key) {
  return to_hex(hmac_sha256(seal_key, body));
}

// The next header line "<name> <value>", moving `pos` past it.
std::optional<std::string_view> header_field(std::string_view text, std::size_t& pos,
                                             std::string_view name) {
  const std::size_t eol = text.find('\n', pos);
  if (eol == std::string_view::npos) return std::nullopt;
  std::string_view line = text.substr(pos, eol - pos);
  if (line.size() <= name.size() || line.substr(0, name.size()) != name || line[name.size()] != ' ')
    return std::nullopt;
  pos = eol + 1;
  return line.substr(name.size() + 1);
}

}  // namespace

std::optional<std::string> build_verified_index(const IndexedFile& file, std::string_view raw,
                                                const std::string& canonical,
                                                std::string_view seal_key) {
  if (!plain_word(file.gun) || !plain_word(file.role) || file.signer_ids.empty())
    return std::nullopt;
  for (const auto& id : file.signer_ids)
    if (!plain_word(id)) return std::nullopt;
  std::string entries;
  std::string_view previous;
  bool sorted = true;  // as canonical JSON writes them: no name twice
  auto layout = scan_targets_layout(raw, [&](std::string_view key, ByteRange entry) {
    sorted = sorted && (previous.empty() || previous < key);
    previous = key;
    if (plain_name(key))
      fmt::format_to(std::back_inserter(entries), "\n{}\t{}\t{}", key, entry.offset, entry.length);
    return true;
  });
  if (!layout || !sorted || layout->signed_value.of(raw) != canonical) return std::nullopt;
  std::string out(kMagic);
  fmt::format_to(std::back_inserter(out),
                 "gun {}\nrole {}\nlength {}\nsha256 {}\nsha512 {}\nhalves {} {} {}\nlayout",
                 file.gun, file.role, file.length, file.sha256_hex, file.sha512_hex, file.split,
                 file.first_half_sha256_hex, file.second_half_sha256_hex);
  for (ByteRange range : layout_fields(*layout))
    fmt::format_to(std::back_inserter(out), " {} {}", range.offset, range.length);
  fmt::format_to(std::back_inserter(out), "\nsigners {}", fmt::join(file.signer_ids, " "));
  out += entries;
  out += kEnd;
  const std::string seal = seal_of(out, seal_key);
  fmt::format_to(std::back_inserter(out), "{}{}\n", kMacPrefix, seal);
  return out;
}

std::optional<OpenedIndex> open_verified_index(std::string_view index, std::string_view seal_key) {
  const std::size_t tail = kEnd.size() + kMacPrefix.size() + kMacHexSize + 1;
  if (index.size() < kMagic.size() + tail || index.substr(0, kMagic.size()) != kMagic ||
      index.back() != '\n')
    return std::nullopt;
  const std::size_t mac_at = index.size() - kMacHexSize - 1;
  const std::size_t body_size = mac_at - kMacPrefix.size();
  if (index.substr(body_size, kMacPrefix.size()) != kMacPrefix ||
      index.substr(body_size - kEnd.size(), kEnd.size()) != kEnd)
    return std::nullopt;
  const std::string_view body = index.substr(0, body_size);
  if (!equal_in_constant_time(seal_of(body, seal_key), index.substr(mac_at, kMacHexSize)))
    return std::nullopt;

  OpenedIndex out;
  std::size_t pos = kMagic.size();
  auto gun = header_field(body, pos, "gun");
  auto role = header_field(body, pos, "role");
  auto length = header_field(body, pos, "length");
  auto sha256_hex = header_field(body, pos, "sha256");
  auto sha512_hex = header_field(body, pos, "sha512");
  auto halves = header_field(body, pos, "halves");
  auto layout_text = header_field(body, pos, "layout");
  if (!gun || !role || !length || !sha256_hex || !sha512_hex || !halves || !layout_text)
    return std::nullopt;
  {
    const std::string line = std::string(*halves) + "\n";
    std::size_t at = 0;
    auto split = number_until(line, at, ' ');
    const std::size_t space = line.find(' ', at);
    if (!split || space == std::string::npos) return std::nullopt;
    out.file.split = *split;
    out.file.first_half_sha256_hex = line.substr(at, space - at);
    out.file.second_half_sha256_hex = line.substr(space + 1, line.size() - space - 2);
  }
  auto layout = parse_layout(*layout_text);
  if (!layout) return std::nullopt;
  out.layout = *layout;
  // The signers line ends where the entries begin (each entry line starts with its newline).
  const std::size_t signers_end = body.find('\n', pos);
  std::string_view signers = body.substr(pos, signers_end - pos);
  if (signers.substr(0, 8) != "signers ") return std::nullopt;
  signers.remove_prefix(8);
  for (std::size_t at = 0; at <= signers.size();) {
    std::size_t space = signers.find(' ', at);
    if (space == std::string_view::npos) space = signers.size();
    out.file.signer_ids.emplace_back(signers.substr(at, space - at));
    at = space + 1;
  }
  auto [ptr, ec] =
      std::from_chars(length->data(), length->data() + length->size(), out.file.length);
  if (ec != std::errc() || ptr != length->data() + length->size() || out.file.length < 0 ||
      out.file.split > static_cast<std::size_t>(out.file.length))
    return std::nullopt;
  out.file.gun = *gun;
  out.file.role = *role;
  out.file.sha256_hex = *sha256_hex;
  out.file.sha512_hex = *sha512_hex;
  out.entries = body.substr(signers_end, body.size() - kEnd.size() + 1 - signers_end);
  return out;
}

std::optional<ByteRange> index_lookup(const OpenedIndex& index, const std::string& tag) {
  if (!plain_name(tag)) return std::nullopt;
  const std::string needle = fmt::format("\n{}\t", tag);
  const std::size_t at = index.entries.find(needle);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t pos = at + needle.size();
  auto offset = number_until(index.entries, pos, '\t');
  if (!offset) return std::nullopt;
  auto length = number_until(index.entries, pos, '\n');
  if (!length) return std::nullopt;
  return ByteRange{*offset, *length};
}

std::optional<std::vector<ByteRange>> indexed_ranges(const OpenedIndex& index,
                                                     const std::string& tag) {
  auto entry = index_lookup(index, tag);
  if (!entry || !entry->present()) return std::nullopt;
  std::vector<ByteRange> out{*entry};
  for (ByteRange field : layout_fields(index.layout)) out.push_back(field);
  for (ByteRange range : out)
    if (range.length > static_cast<std::size_t>(index.file.length) ||
        range.offset > static_cast<std::size_t>(index.file.length) - range.length)
      return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> read_indexed_pieces(MetadataCache& cache,
                                                            const OpenedIndex& index,
                                                            const std::vector<ByteRange>& ranges) {
  const IndexedFile& file = index.file;
  const auto length = static_cast<std::size_t>(file.length);
  struct Half {
    std::vector<std::string> pieces;
    std::string sha256;
    std::size_t read = 0;
    bool found = false;
  };
  auto read_half = [&](std::size_t from, std::size_t to) {
    Half half;
    half.pieces.resize(ranges.size());
    Sha256Stream hash;
    std::size_t at = from;
    half.found = cache.read_chunks(file.role, length, from, to, [&](std::string_view chunk) {
      hash.update(chunk);
      for (std::size_t i = 0; i < ranges.size(); ++i) {
        const std::size_t lo = std::max(ranges[i].offset, at);
        const std::size_t hi = std::min(ranges[i].offset + ranges[i].length, at + chunk.size());
        if (lo < hi) half.pieces[i].append(chunk.substr(lo - at, hi - lo));
      }
      at += chunk.size();
    });
    half.read = at - from;
    half.sha256 = to_hex(hash.finish());
    return half;
  };
  Half first;
  auto first_read =
      run_beside(length >= kParallelCheckSize, [&] { first = read_half(0, file.split); });
  Half second = read_half(file.split, length);
  first_read.get();
  if (!first.found || !second.found || first.read != file.split ||
      second.read != length - file.split || first.sha256 != file.first_half_sha256_hex ||
      second.sha256 != file.second_half_sha256_hex)
    return std::nullopt;
  std::vector<std::string> pieces(ranges.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) pieces[i] = first.pieces[i] + second.pieces[i];
  return pieces;
}

std::optional<Targets> read_indexed_target(const std::vector<std::string>& pieces,
                                           const std::string& role, const std::string& tag) {
  if (pieces.size() != 1 + kLayoutFields) return std::nullopt;
  // The fields a lookup needs, put together into a small document for the strict parser.
  std::string doc = "{\"signed\":{";
  auto field = [&](const char* name, const std::string& value) {
    if (!value.empty()) doc += fmt::format("\"{}\":{},", name, value);
  };
  field("_type", pieces[1]);
  field("delegations", pieces[4]);
  field("expires", pieces[3]);
  field("version", pieces[2]);
  doc += fmt::format("\"targets\":{{{}}}}}", pieces[0]);
  if (!pieces[5].empty()) doc += fmt::format(",\"signatures\":{}", pieces[5]);
  doc += "}";

  Targets t = Targets::parse(SignedFile::parse(std::move(doc), role), role);
  if (t.targets.size() != 1 || !t.targets.count(tag)) return std::nullopt;
  t.file.canonical.clear();
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
  try {
    seal_.commit();
  } catch (const std::exception&) {
    pending_.clear();  // indexes sealed with a key that is not on disk are of no use
    return;
  }
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
