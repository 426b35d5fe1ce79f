#include "registry/multipart.h"

#include <openssl/rand.h>

#include "base/encoding.h"
#include "base/errors.h"

namespace dct::registry {

namespace {

// Quoted-string content for a header parameter: no CR/LF, quotes and backslashes escaped.
std::string escape_quoted(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\r' || c == '\n') continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

bool boundary_clashes(const std::vector<FormPart>& parts, const std::string& boundary) {
  for (const auto& p : parts) {
    if (p.data.find(boundary) != std::string::npos) return true;
  }
  return false;
}

std::string random_boundary() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw Error(ErrorCode::internal, "no randomness for a multipart boundary");
  }
  return "dct-" + to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace

Body multipart_form(const std::vector<FormPart>& parts, const std::string& boundary) {
  if (boundary.empty() || boundary_clashes(parts, boundary)) {
    throw Error(ErrorCode::internal, "multipart boundary occurs in the data");
  }
  Body body;
  body.content_type = "multipart/form-data; boundary=" + boundary;
  std::string& out = body.data;
  for (const auto& p : parts) {
    out += "--" + boundary + "\r\n";
    out += "Content-Disposition: form-data; name=\"" + escape_quoted(p.field) + "\"";
    if (!p.filename.empty()) out += "; filename=\"" + escape_quoted(p.filename) + "\"";
    out += "\r\n";
    if (!p.content_type.empty()) out += "Content-Type: " + p.content_type + "\r\n";
    out += "\r\n";
    out += p.data;
    out += "\r\n";
  }
  out += "--" + boundary + "--\r\n";
  return body;
}

Body multipart_form(const std::vector<FormPart>& parts) {
  std::string boundary = random_boundary();
  while (boundary_clashes(parts, boundary)) boundary = random_boundary();
  return multipart_form(parts, boundary);
}

}  // namespace dct::registry
