#pragma once
// Which heredocs (`<<EOF`, `<<-"EOF"`, `3<<EOF`, `<< EOF`) a RUN, COPY or ADD line opens, found
// the way BuildKit's parser finds them: the line is split into shell words (quotes, the
// backslash escape, $ substitutions and their quirks), and each word of the form
// `[n]<<[-]WORD` names a terminator. The lines up to each terminator are not instructions.
#include <string>
#include <string_view>
#include <vector>

namespace dct::trust {

struct Heredoc {
  std::string terminator;
  bool chomp = false;  // `<<-`: leading tabs are ignored when looking for the terminator
};

// Throws dct::Error(dockerfile_invalid) where BuildKit's parser fails on the line, and where
// it cannot be told how BuildKit would read it (non-ASCII letters inside `${...}`).
std::vector<Heredoc> heredocs_in(std::string_view line);

}  // namespace dct::trust
