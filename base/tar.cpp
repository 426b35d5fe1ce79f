#include "base/tar.h"

#include <fmt/format.h>

#include <cstring>

#include "base/errors.h"

namespace dct {
namespace {

constexpr std::size_t kTarBlock = 512;

bool tar_name_safe(const std::string& name) {
  if (name.empty() || name.front() == '/') return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    const std::string part = name.substr(start, end - start);
    if (part == ".." || (part.empty() && end != name.size())) return false;
    start = end + 1;
  }
  return name.find('\0') == std::string::npos;
}

void put_octal(char* field, std::size_t width, unsigned long long value) {
  // width - 1 digits, zero padded, then NUL.
  std::string digits = fmt::format("{:0{}o}", value, width - 1);
  std::memcpy(field, digits.data(), width - 1);
  field[width - 1] = '\0';
}

unsigned tar_checksum(const char* header) {
  unsigned sum = 0;
  for (std::size_t i = 0; i < kTarBlock; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(header[i]);
  return sum;
}

std::string tar_header(const std::string& name, std::size_t size, unsigned mode, long long mtime) {
  std::string h(kTarBlock, '\0');
  std::string prefix, rest = name;
  if (name.size() > 100) {
    // Split at a '/' so that the prefix fits 155 bytes and the rest 100.
    std::size_t cut = name.rfind('/', 155);
    while (cut != std::string::npos && name.size() - cut - 1 > 100) cut = std::string::npos;
    if (cut == std::string::npos || cut == 0)
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("the path {} is too long for a tar archive", name));
    prefix = name.substr(0, cut);
    rest = name.substr(cut + 1);
  }
  std::memcpy(&h[0], rest.data(), rest.size());
  put_octal(&h[100], 8, mode & 07777);
  put_octal(&h[108], 8, 0);
  put_octal(&h[116], 8, 0);
  put_octal(&h[124], 12, size);
  put_octal(&h[136], 12, static_cast<unsigned long long>(mtime < 0 ? 0 : mtime));
  h[156] = '0';
  std::memcpy(&h[257],
              "ustar\0"
              "00",
              8);
  std::memcpy(&h[345], prefix.data(), prefix.size());
  put_octal(&h[148], 7, tar_checksum(h.data()));
  h[155] = ' ';
  return h;
}

[[noreturn]] void tar_damaged(const std::string& what, const std::string& why) {
  throw Error(ErrorCode::malformed_metadata,
              fmt::format("{} is not a usable tar archive: {}", what, why));
}

std::string tar_field(const char* p, std::size_t width) {
  std::size_t n = 0;
  while (n < width && p[n] != '\0') ++n;
  return std::string(p, n);
}

unsigned long long tar_octal(const char* p, std::size_t width, const std::string& what) {
  unsigned long long v = 0;
  std::size_t i = 0;
  while (i < width && p[i] == ' ') ++i;
  bool any = false;
  for (; i < width && p[i] >= '0' && p[i] <= '7'; ++i) {
    if (v > (1ULL << 60)) tar_damaged(what, "a number field overflows");
    v = v * 8 + static_cast<unsigned>(p[i] - '0');
    any = true;
  }
  for (; i < width; ++i)
    if (p[i] != ' ' && p[i] != '\0') tar_damaged(what, "a number field holds a non-octal digit");
  if (!any) tar_damaged(what, "a number field is empty");
  return v;
}

// The "path" record of a pax extended header, if any.
std::string pax_path(const std::string& data, const std::string& what) {
  std::size_t pos = 0;
  std::string path;
  while (pos < data.size()) {
    std::size_t space = data.find(' ', pos);
    if (space == std::string::npos) tar_damaged(what, "a pax record has no length");
    std::size_t len = 0;
    for (std::size_t i = pos; i < space; ++i) {
      if (data[i] < '0' || data[i] > '9' || len > data.size()) tar_damaged(what, "bad pax record");
      len = len * 10 + static_cast<std::size_t>(data[i] - '0');
    }
    if (len == 0 || pos + len > data.size() || data[pos + len - 1] != '\n')
      tar_damaged(what, "bad pax record");
    std::string record = data.substr(space + 1, pos + len - space - 2);
    if (record.rfind("path=", 0) == 0) path = record.substr(5);
    pos += len;
  }
  return path;
}

}  // namespace

std::string tar_write(const std::vector<TarEntry>& entries, long long mtime) {
  std::string out;
  for (const auto& e : entries) {
    if (!tar_name_safe(e.name))
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("the path \"{}\" cannot go into a tar archive", e.name));
    out += tar_header(e.name, e.bytes.size(), e.mode, mtime);
    out += e.bytes;
    out.append((kTarBlock - e.bytes.size() % kTarBlock) % kTarBlock, '\0');
  }
  out.append(2 * kTarBlock, '\0');
  return out;
}

std::vector<TarEntry> tar_read(const std::string& archive, const std::string& what,
                               std::size_t max_total) {
  std::vector<TarEntry> out;
  std::size_t pos = 0, total = 0;
  std::string long_name;  // from a GNU 'L' or pax 'x' entry, for the next file
  const std::string zero(kTarBlock, '\0');
  bool ended = false;
  while (pos + kTarBlock <= archive.size()) {
    const char* h = archive.data() + pos;
    if (archive.compare(pos, kTarBlock, zero) == 0) {
      ended = true;
      break;
    }
    if (tar_octal(h + 148, 8, what) != tar_checksum(h))
      tar_damaged(what, "a header checksum is wrong");
    const unsigned long long size = tar_octal(h + 124, 12, what);
    const std::size_t data_at = pos + kTarBlock;
    if (size > archive.size() - data_at) tar_damaged(what, "it is truncated");
    total += size;
    if (total > max_total)
      throw Error(ErrorCode::oversized,
                  fmt::format("{} holds more than {} MiB", what, max_total >> 20));
    std::string data = archive.substr(data_at, size);
    pos = data_at + (size + kTarBlock - 1) / kTarBlock * kTarBlock;
    const char type = h[156];
    std::string name = tar_field(h, 100);
    if (std::memcmp(h + 257, "ustar", 5) == 0) {
      std::string prefix = tar_field(h + 345, 155);
      if (!prefix.empty()) name = prefix + "/" + name;
    }
    switch (type) {
      case 'L':
        long_name = tar_field(data.data(), data.size());
        continue;
      case 'x':
        long_name = pax_path(data, what);
        continue;
      case 'g':
        continue;
      case '5':
        long_name.clear();
        continue;
      case '0':
      case '\0':
      case '7':
        break;
      default:
        tar_damaged(what, fmt::format("entry {} is not a regular file (type '{}')", name, type));
    }
    if (!long_name.empty()) name = std::move(long_name);
    long_name.clear();
    while (name.rfind("./", 0) == 0) name.erase(0, 2);
    if (!tar_name_safe(name))
      tar_damaged(what, fmt::format("entry \"{}\" has an unsafe name", name));
    out.push_back({name, std::move(data), static_cast<unsigned>(tar_octal(h + 100, 8, what))});
  }
  if (!ended) tar_damaged(what, "it is truncated (no end-of-archive blocks)");
  return out;
}

}  // namespace dct
