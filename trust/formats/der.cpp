#include "trust/formats/der.h"

namespace dct::trust::der {

std::string tlv(unsigned char tag, std::string_view content) {
  std::string header(1, static_cast<char>(tag));
  const size_t n = content.size();
  if (n < 0x80) {
    header.push_back(static_cast<char>(n));
  } else {
    std::string len;
    for (size_t v = n; v > 0; v >>= 8) len.insert(len.begin(), static_cast<char>(v & 0xff));
    header.push_back(static_cast<char>(0x80 | len.size()));
    header += len;
  }
  return concat({header, content});
}

std::string concat(std::initializer_list<std::string_view> parts) {
  size_t total = 0;
  for (auto p : parts) total += p.size();
  std::string out;
  out.reserve(total);
  for (auto p : parts) out.append(p);
  return out;
}

std::string integer(std::uint64_t value) {
  std::string bytes;
  do {
    bytes.insert(bytes.begin(), static_cast<char>(value & 0xff));
    value >>= 8;
  } while (value > 0);
  if (static_cast<unsigned char>(bytes.front()) & 0x80) bytes.insert(bytes.begin(), '\0');
  return tlv(0x02, bytes);
}

}  // namespace dct::trust::der
