#include "trust/formats/pem.h"

#include <algorithm>

#include "base/encoding.h"
#include "base/wipe.h"
#include "trust/formats/go_base64.h"

namespace dct::trust {
namespace {

constexpr std::string_view kBegin = "\n-----BEGIN ";
constexpr std::string_view kEnd = "\n-----END ";
constexpr std::string_view kDashes = "-----";

std::string_view trim_right(std::string_view s, std::string_view chars) {
  const auto last = s.find_last_not_of(chars);
  return last == std::string_view::npos ? std::string_view{} : s.substr(0, last + 1);
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return trim_right(s.substr(first), kSpace);
}

// Go's getLine: the first line without its "\n" or "\r\n" and without trailing blanks, and
// everything after the line break.
std::pair<std::string_view, std::string_view> get_line(std::string_view data) {
  auto nl = data.find('\n');
  size_t end = nl, next = nl + 1;
  if (nl == std::string_view::npos) {
    end = next = data.size();
  } else if (nl > 0 && data[nl - 1] == '\r') {
    --end;
  }
  return {trim_right(data.substr(0, end), " \t"), data.substr(next)};
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::optional<PemBlock> pem_decode(std::string_view data, std::string_view* rest_out) {
  std::string_view rest = data;
  while (true) {
    if (starts_with(rest, kBegin.substr(1))) {
      rest.remove_prefix(kBegin.size() - 1);
    } else if (auto at = rest.find(kBegin); at != std::string_view::npos) {
      rest.remove_prefix(at + kBegin.size());
    } else {
      return std::nullopt;
    }

    auto [type_line, after_type] = get_line(rest);
    rest = after_type;
    if (type_line.size() < kDashes.size() ||
        type_line.substr(type_line.size() - kDashes.size()) != kDashes)
      continue;
    type_line.remove_suffix(kDashes.size());

    PemBlock block;
    block.type = std::string(type_line);
    while (true) {
      if (rest.empty()) return std::nullopt;
      auto [line, next] = get_line(rest);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) break;
      block.headers[std::string(trim(line.substr(0, colon)))] =
          std::string(trim(line.substr(colon + 1)));
      rest = next;
    }

    // Without headers the END line may follow the BEGIN line directly (an empty body).
    size_t end_index, trailer_index;
    if (block.headers.empty() && starts_with(rest, kEnd.substr(1))) {
      end_index = 0;
      trailer_index = kEnd.size() - 1;
    } else {
      end_index = rest.find(kEnd);
      if (end_index == std::string_view::npos) continue;
      trailer_index = end_index + kEnd.size();
    }
    std::string_view trailer = rest.substr(trailer_index);
    const size_t trailer_len = type_line.size() + kDashes.size();
    if (trailer.size() < trailer_len) continue;
    if (!starts_with(trailer, type_line) ||
        trailer.substr(type_line.size(), kDashes.size()) != kDashes)
      continue;
    if (!get_line(trailer.substr(trailer_len)).first.empty()) continue;

    std::string body(rest.substr(0, end_index));
    WipeOnExit wipe_body(body);  // unencrypted key bodies are secrets
    body.erase(
        std::remove_if(body.begin(), body.end(), [](char c) { return c == ' ' || c == '\t'; }),
        body.end());
    auto bytes = go_base64_decode(body);
    if (!bytes) continue;
    block.bytes = std::move(*bytes);
    if (rest_out) *rest_out = get_line(rest.substr(end_index + kEnd.size() - 1)).second;
    return block;
  }
}

std::string pem_encode(const PemBlock& block) {
  std::string out = "-----BEGIN " + block.type + "-----\n";
  if (!block.headers.empty()) {
    // Go writes Proc-Type first (RFC 1421 requires it), then the rest sorted by name.
    if (auto it = block.headers.find("Proc-Type"); it != block.headers.end())
      out += it->first + ": " + it->second + "\n";
    for (const auto& [name, value] : block.headers)
      if (name != "Proc-Type") out += name + ": " + value + "\n";
    out += "\n";
  }
  std::string b64 = base64_encode(block.bytes);
  WipeOnExit wipe_b64(b64);
  for (size_t i = 0; i < b64.size(); i += 64) out.append(b64, i, 64).push_back('\n');
  out += "-----END " + block.type + "-----\n";
  return out;
}

}  // namespace dct::trust
