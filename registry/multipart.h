#pragma once
// multipart/form-data bodies (RFC 7578), as notary's publish endpoint expects them.
#include <string>
#include <vector>

#include "registry/http.h"

namespace dct::registry {

struct FormPart {
  std::string field;     // form field name, e.g. "files"
  std::string filename;  // e.g. "targets/releases"
  std::string content_type = "application/octet-stream";
  std::string data;
};

// A body with Content-Type "multipart/form-data; boundary=<random>"; the boundary never occurs
// in any part.
Body multipart_form(const std::vector<FormPart>& parts);
// The same with a fixed boundary (tests). Throws dct::Error(internal) when a part contains it.
Body multipart_form(const std::vector<FormPart>& parts, const std::string& boundary);

}  // namespace dct::registry
