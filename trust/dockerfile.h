#pragma once
// The image references of a Dockerfile, read as docker's parser reads them (trust/
// dockerfile_lines.h): `FROM [--platform=...] image [AS name]` with ARG values from before the
// first FROM (defaults and --build-arg overrides, $VAR / ${VAR} / ${VAR:-default} /
// ${VAR:+alt}), `COPY --from=IMAGE`, `RUN --mount=...,from=IMAGE` and the `# syntax=IMAGE`
// frontend. Stage names and indexes and scratch are not images. Also rewrites a Dockerfile with
// references replaced, leaving every other byte as it was.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dct::trust {

enum class RefSource { from, copy_from, mount_from, syntax };
std::string_view describe(RefSource source);  // "FROM", "COPY --from", ...

struct ImageRef {
  RefSource source = RefSource::from;
  std::size_t line = 0;          // 1-based line of the instruction or directive
  std::string written;           // the reference as written (FROM: before ARG expansion)
  std::string image;             // what the builder resolves (FROM: after ARG expansion)
  std::string stage;             // FROM ... AS name, lower-cased ("" when none)
  bool stage_reference = false;  // an earlier stage, by name or (COPY --from) by index
  bool scratch = false;
  std::size_t begin = 0, end = 0;  // byte range of `written` in the text
  bool rewritable = false;         // false when quotes, escapes or a line continuation split it
};

struct Dockerfile {
  std::vector<ImageRef> refs;  // in the order docker meets them: the syntax first
};

// Throws dct::Error(dockerfile_invalid) naming the line for what docker would refuse or read
// otherwise than dct: malformed FROM lines, --from with variables or quotes, a --from naming a
// stage that is not finished yet, `//` or JSON syntax directives. Unknown variables expand to
// "" as Docker does.
Dockerfile parse_dockerfile(std::string_view text,
                            const std::map<std::string, std::string>& build_args);

// `text` with [begin, end) ranges replaced; ranges must not overlap.
std::string replace_ranges(
    std::string_view text,
    std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::string>> edits);

}  // namespace dct::trust
