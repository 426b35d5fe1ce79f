#pragma once
// The frontend image a Dockerfile asks BuildKit for (`# syntax=IMAGE [ARGS]`), found as
// BuildKit finds it before it reads anything else: after a byte-order mark and a `#!` line, in
// the parser directives at the very top (`#` in the first column, known keys only; the first
// line that is not a directive ends them). BuildKit also accepts `// syntax=` and a JSON
// `{"syntax": ...}` document, which dct does not rewrite.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dct::trust {

struct SyntaxDirective {
  std::size_t line = 0;      // 1-based
  std::string image;         // the value up to its first space
  std::size_t image_offset;  // byte offset of `image` in the text
};

// Throws dct::Error(dockerfile_invalid) for the `//` and JSON forms and an empty image.
std::optional<SyntaxDirective> detect_syntax(std::string_view text);

}  // namespace dct::trust
