#include <fmt/format.h>
#include <stdlib.h>

#include <cctype>
#include <filesystem>
#include <memory>
#include <ostream>

#include "base/files.h"
#include "plugin/build_args.h"
#include "plugin/command.h"
#include "plugin/docker_exec.h"
#include "plugin/pin_flow.h"

namespace dct::plugin {
namespace {

namespace fs = std::filesystem;

bool starts_with_nocase(const std::string& s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// What dct cannot pin, refused before anything runs.
void refuse_unpinnable(const BuildCommandLine& line) {
  for (const auto& a : line.build_args) {
    const std::string name = a.substr(0, a.find('='));
    if (name.size() == 15 && starts_with_nocase(name, "buildkit_syntax"))
      throw Error(
          ErrorCode::dockerfile_invalid,
          fmt::format("--build-arg {} picks the frontend image, which dct cannot vouch for", a),
          "name the frontend in the Dockerfile's first line (# syntax=IMAGE), which dct "
          "pins, and drop the build argument");
  }
  for (const auto& c : line.build_contexts) {
    const auto eq = c.find('=');
    if (eq != std::string::npos && starts_with_nocase(c.substr(eq + 1), "docker-image:"))
      throw Error(ErrorCode::dockerfile_invalid,
                  fmt::format("--build-context {} names an image, which dct cannot pin there", c),
                  "use the image in the Dockerfile (FROM or COPY --from), where dct pins it");
  }
  // A remote build cache maps cache keys to layers: whoever writes it decides what RUN and COPY
  // steps produce, and no signature covers it. Only a local cache, written by this machine's own
  // builds, goes through without being asked for.
  for (const auto& c : line.cache_from)
    if (!line.allow_cache_from && !starts_with_nocase(c, "type=local,"))
      throw Error(ErrorCode::dockerfile_invalid,
                  fmt::format("--cache-from {} lets that cache decide what the build's steps "
                              "produce, and nothing signs it",
                              c),
                  "drop it, use a local cache (type=local,src=DIR), or add --allow-cache-from if "
                  "you trust whoever can write that cache");
  const std::string file = line.file.value_or("");
  if (file.rfind("http://", 0) == 0 || file.rfind("https://", 0) == 0)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the Dockerfile {} is a URL, which dct cannot read to pin", file),
                "download it and give its path with -f");
  std::error_code ec;
  if (line.context != "-" && line.context.find("://") == std::string::npos &&
      !fs::exists(line.context, ec))
    throw Error(ErrorCode::io_failure,
                fmt::format("the build context {} does not exist", line.context));
  if (line.context == "-" || !fs::is_directory(line.context, ec))
    throw Error(ErrorCode::invalid_argument,
                fmt::format("the build context {} is not a directory (stdin, a URL or a Git "
                            "repository cannot be pinned: dct has to read the Dockerfile that "
                            "docker would build)",
                            line.context),
                "clone or unpack it into a directory and give that; a Dockerfile on stdin works "
                "with -f - and a directory context");
}

// A private (0700) directory, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "dct-build-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
      throw Error(ErrorCode::io_failure, fmt::format("cannot make a temporary directory {}", tmpl));
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// BuildKit reads <Dockerfile>.dockerignore and buildx <Dockerfile>.rego (a source policy) from
// beside the Dockerfile: they go beside the pinned one.
void copy_companions(const std::optional<fs::path>& original, const fs::path& pinned) {
  if (!original) return;
  for (const char* suffix : {".dockerignore", ".rego"}) {
    const fs::path from = original->parent_path() / (original->filename().string() + suffix);
    if (auto text = read_file_capped(from, 16 << 20))
      write_file_atomic(pinned.parent_path() / (pinned.filename().string() + suffix), *text, 0600);
  }
}

}  // namespace

Command build_command() {
  Command c;
  c.path = "build";
  c.usage = "[docker build OPTIONS] CONTEXT";
  c.summary = "docker build with every image resolved through content trust";
  c.description =
      "Resolve every image the Dockerfile uses (FROM, COPY --from, RUN --mount from=, # syntax;\n"
      "-f as docker build takes it, default CONTEXT/Dockerfile, - for stdin) as `docker dct pin`\n"
      "does, then run `docker build` through the Docker CLI with the pinned Dockerfile as its\n"
      "only -f. Every other option is passed to docker build unchanged. If any image cannot be\n"
      "resolved, nothing runs. The context must be a directory.\n\n"
      "--cache-from is refused unless the cache is local (type=local,src=DIR): a remote cache\n"
      "decides what RUN and COPY steps produce and nothing signs it. --allow-cache-from (dct's\n"
      "own flag) passes it on when you trust whoever can write that cache.";
  c.examples = "  docker dct build -t registry.example.com/team/app:1.5 .\n";
  c.trust_flags = true;
  c.bundle_flag = true;
  c.raw_args = true;

  c.setup = [](CLI::App& app) -> Runner {
    (void)app;
    return [](Context& ctx) {
      const BuildCommandLine line = parse_build_command_line(ctx.args);
      if (line.help) {
        *ctx.out << ctx.help_text;
        return 0;
      }
      if (line.server) ctx.trust.server = *line.server;
      if (line.trust_dir) ctx.trust.trust_dir = *line.trust_dir;
      refuse_unpinnable(line);
      const DockerfileSource source = read_dockerfile(line.file.value_or(""), line.context);
      PinOptions options;
      options.build_args = parse_build_args(line.build_args);
      for (const auto& bc : line.build_contexts)
        if (const auto eq = bc.find('='); eq != std::string::npos)
          options.build_contexts.insert(bc.substr(0, eq));
      const PinResult result = pin_dockerfile(ctx, source.text, options);
      for (const auto& p : result.pins)
        *ctx.err << fmt::format("line {}: {} {} -> {}\n", p.ref.line, trust::describe(p.ref.source),
                                p.ref.image, p.replacement);
      for (const auto& r : result.build_contexts)
        *ctx.err << fmt::format("line {}: {} {} is the --build-context of that name\n", r.line,
                                trust::describe(r.source), r.image);
      TempDir dir;
      const fs::path pinned = dir.path / "Dockerfile";
      write_file_atomic(pinned, pinned_text(source.text, result.pins), 0600);
      copy_companions(source.path, pinned);
      return run_docker(ctx.invocation, docker_build_args(line, pinned.string()));
    };
  };
  return c;
}

}  // namespace dct::plugin
