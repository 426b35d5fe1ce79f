#pragma once
// A Dockerfile split into instructions the way BuildKit's parser splits it (the legacy builder
// vendors the same parser): parser directives at the top (escape, syntax, check), comment and
// blank lines, line continuations (the escape character last on a line unless it is itself
// escaped), and heredoc bodies after RUN, COPY and ADD, which are not instructions.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "trust/dockerfile_words.h"

namespace dct::trust {

struct Directive {
  std::string key;  // lower-cased: escape, syntax or check
  std::string value;
  std::size_t line = 0;
  std::size_t value_offset = 0;  // byte offset of the value in the text
};

struct Instruction {
  std::size_t line = 0;  // 1-based line where it starts
  Traced text;           // continuations joined, comment lines left out
  InstructionWords words;
};

struct DockerfileLines {
  char escape = '\\';
  std::vector<Directive> directives;
  std::vector<Instruction> instructions;
};

// Throws dct::Error(dockerfile_invalid) naming the line where docker's parser fails: a
// repeated or invalid directive, an unterminated heredoc.
DockerfileLines split_dockerfile(std::string_view text);

}  // namespace dct::trust
