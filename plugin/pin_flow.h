#pragma once
// What `dct pin` and `dct build` share: reading the Dockerfile docker would read, resolving
// each image it references (FROM, COPY --from, RUN --mount from=, # syntax) through content
// trust as `dct pull` does, and writing it back with each one pinned as NAME:TAG@sha256:DIGEST.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plugin/command.h"
#include "plugin/resolve_flow.h"
#include "trust/dockerfile.h"

namespace dct::plugin {

struct DockerfileSource {
  std::string text;
  std::optional<std::filesystem::path> path;  // none when read from stdin
};

// `file` as docker build takes -f: "-" is stdin, "" is CONTEXT/Dockerfile (or dockerfile),
// anything else a path from the current directory.
DockerfileSource read_dockerfile(const std::string& file, const std::string& context);

struct PinOptions {
  std::map<std::string, std::string> build_args;  // ARG values for FROM lines
  bool allow_digest = false;
  std::set<std::string> build_contexts;  // --build-context names: references to them stay
};

struct Pinned {
  trust::ImageRef ref;
  std::string replacement;  // NAME:TAG@sha256:<hex>
  bool already_pinned = false;
  std::optional<Resolution> resolution;
};

struct PinResult {
  std::vector<Pinned> pins;
  std::vector<trust::ImageRef> build_contexts;  // references that name a --build-context
};

// Throws dct::Error(tag_not_trusted) listing every reference that could not be resolved, and
// dct::Error(dockerfile_invalid) for a Dockerfile docker would read otherwise.
PinResult pin_dockerfile(const Context& ctx, const std::string& text, const PinOptions& options);

std::string pinned_text(const std::string& text, const std::vector<Pinned>& pins);
nlohmann::ordered_json pins_json(const std::vector<Pinned>& pins);

// "NAME=VALUE" items as docker build takes --build-arg (NAME alone: from the environment).
std::map<std::string, std::string> parse_build_args(const std::vector<std::string>& items);

}  // namespace dct::plugin
