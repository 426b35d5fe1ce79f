#pragma once
// The base images of a Dockerfile, read as Docker's parser reads them: parser directives
// (escape), comments, line continuations, case-insensitive instructions, ARG values before the
// first FROM (defaults and --build-arg overrides, $VAR / ${VAR} / ${VAR:-default} /
// ${VAR:+alt}), `FROM [--platform=...] image [AS name]`, stage references and scratch. Also
// rewrites a Dockerfile with each base image replaced, leaving every other byte as it was.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dct::trust {

struct FromLine {
  std::size_t line = 0;          // 1-based line of the FROM instruction
  std::string written;           // the image argument as written (before expansion)
  std::string image;             // after ARG expansion
  std::string stage;             // the AS name, lower-cased ("" when none)
  bool stage_reference = false;  // names an earlier stage: not an image
  bool scratch = false;
  std::size_t begin = 0, end = 0;  // byte range of `written` in the text (same line only)
  bool rewritable = false;         // false when the argument spans a line continuation
};

struct Dockerfile {
  std::vector<FromLine> froms;
};

// Throws dct::Error(invalid_argument) naming the line for malformed FROM lines, unknown
// variables are expanded to "" as Docker does.
Dockerfile parse_dockerfile(std::string_view text,
                            const std::map<std::string, std::string>& build_args);

// `text` with [begin, end) ranges replaced; ranges must not overlap.
std::string replace_ranges(
    std::string_view text,
    std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::string>> edits);

}  // namespace dct::trust
