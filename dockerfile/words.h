#pragma once
// The word-level rules of BuildKit's Dockerfile parser, which the legacy builder shares: white
// space as Go's unicode.IsSpace sees it, an instruction split into its name, its `--flag=value`
// words (quotes and the escape character removed) and its arguments, and the comma-separated
// CSV of a `--mount` value. Every character keeps the byte offset it came from, so that a value
// found here can be replaced in the Dockerfile's text.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dct::trust {

// A string whose characters each remember their byte offset in the Dockerfile.
struct Traced {
  std::string text;
  std::vector<std::size_t> at;

  void push(char c, std::size_t offset);
  Traced substr(std::size_t pos, std::size_t n = std::string::npos) const;
  // True when the characters are one unbroken run of the original text (no quote, escape or
  // line break was dropped between them), so that the run can be replaced in place.
  bool contiguous() const;
  std::size_t begin() const { return at.empty() ? 0 : at.front(); }
  std::size_t end() const { return at.empty() ? 0 : at.back() + 1; }
};

// Go's unicode.IsSpace for the UTF-8 character at `pos`: its length in bytes, 0 when it is not
// white space (or not valid UTF-8).
std::size_t space_at(std::string_view s, std::size_t pos);
// The length of the white space at the end of `s` (the character that ends there).
std::size_t space_before(std::string_view s, std::size_t end);
Traced trim_space(const Traced& s);  // Go's strings.TrimSpace

// Go's strings.ToLower, as far as it can turn a character into an ASCII letter: ASCII, and
// U+0130 and U+212A, which lower to 'i' and 'k'. Other characters are kept as they are.
std::string go_lower(std::string_view s);

struct InstructionWords {
  std::string name;           // go_lower of the instruction word
  std::vector<Traced> flags;  // "--from=x" with quotes and escapes removed
  Traced args;                // the rest, trimmed
};

// splitCommand and extractBuilderFlags: the name ends at the first of [\t\v\f\r ], flags are
// the following words that start with "--" (up to a "--" word), quotes and the escape
// character removed; everything after them is the arguments.
InstructionWords split_instruction(const Traced& line, char escape);

// The arguments of FROM: split on runs of [\t\v\f\r ].
std::vector<Traced> split_on_blanks(const Traced& args);

// A parser directive's `key=value` after its comment prefix, as BuildKit's directive regexp
// matches it: leading white space, [a-zA-Z][a-zA-Z0-9]*, \s*=\s*, the value, trailing \s*.
// The key is lower-cased; the value is [value_begin, value_end) of `s`.
struct DirectiveMatch {
  std::string key;
  std::size_t value_begin = 0, value_end = 0;
};
std::optional<DirectiveMatch> match_directive(std::string_view s);

// The fields of a comma-separated value as Go's encoding/csv reads one record (double-quoted
// fields, "" for a quote inside them). Throws dct::Error(dockerfile_invalid) where BuildKit's
// parser fails: an empty value, a bare quote, an unterminated quote.
std::vector<Traced> csv_fields(const Traced& value);

}  // namespace dct::trust
