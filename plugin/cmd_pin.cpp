#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "plugin/command.h"
#include "plugin/docker_exec.h"
#include "plugin/resolve_flow.h"
#include "registry/reference.h"
#include "trust/cache.h"
#include "trust/dockerfile.h"

namespace dct::plugin {
namespace {

namespace fs = std::filesystem;

struct PinArgs {
  std::string context = ".";
  std::string file;
  std::string output;
  std::vector<std::string> build_args;
  std::string format;
  bool check = false;
  bool allow_digest = false;
};

struct Pinned {
  trust::FromLine from;
  std::string replacement;  // NAME:TAG@sha256:<hex>
  bool already_pinned = false;
  std::optional<Resolution> resolution;
};

std::string read_dockerfile(const PinArgs& args) {
  if (args.file == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return text;
  }
  const fs::path path =
      args.file.empty() ? fs::path(args.context) / "Dockerfile" : fs::path(args.file);
  auto text = trust::read_file_capped(path, 4 << 20);
  if (!text)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("cannot read the Dockerfile {} (missing, unreadable or over 4 MiB)",
                            path.string()),
                "give it with -f, or the build context as the argument");
  return *text;
}

std::map<std::string, std::string> parse_build_args(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const auto& a : items) {
    const auto eq = a.find('=');
    if (eq == std::string::npos) {
      // As docker: --build-arg NAME takes the value from the environment.
      if (const char* v = std::getenv(a.c_str())) out[a] = v;
      continue;
    }
    out[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return out;
}

std::string without_digest(const std::string& image) { return image.substr(0, image.find('@')); }

// Resolves every base image of a Dockerfile through content trust; one error listing every
// image that could not be resolved.
std::vector<Pinned> pin_dockerfile(const Context& ctx, const std::string& text,
                                   const std::map<std::string, std::string>& build_args,
                                   bool allow_digest) {
  const trust::Dockerfile df = trust::parse_dockerfile(text, build_args);
  std::vector<Pinned> out;
  std::vector<std::string> failures;
  for (const auto& f : df.froms) {
    if (f.scratch || f.stage_reference) continue;
    Pinned p{f, {}, false, std::nullopt};
    try {
      const auto ref = registry::parse_reference(f.image);
      if (ref.has_digest() && !ref.has_tag()) {
        if (!allow_digest)
          throw Error(ErrorCode::invalid_reference,
                      "it is pinned by digest with no tag, so there is no tag whose signature "
                      "could vouch for it (--allow-digest accepts it unchecked)");
        p.replacement = f.image;
        p.already_pinned = true;
        out.push_back(std::move(p));
        continue;
      }
      p.resolution = resolve_image(ctx.trust, f.image, /*with_signers=*/true);
      for (const auto& w : p.resolution->warnings) ctx.warn(w);
      std::string name = without_digest(f.image);
      if (!ref.has_tag()) name += ":latest";
      p.replacement = name + "@sha256:" + p.resolution->target.digest_hex;
      p.already_pinned = ref.has_digest();  // resolve_image refused a different digest
      if (!f.rewritable)
        throw Error(ErrorCode::invalid_argument,
                    "the image name is split by a line continuation; join it to one line");
    } catch (const Error& e) {
      failures.push_back(fmt::format("  line {}: {}: {}", f.line, f.image, e.what()));
      continue;
    }
    out.push_back(std::move(p));
  }
  if (!failures.empty()) {
    std::string all;
    for (const auto& f : failures) all += "\n" + f;
    throw Error(ErrorCode::tag_not_trusted,
                fmt::format("{} base image{} could not be resolved through content trust; "
                            "stopped before anything ran:{}",
                            failures.size(), failures.size() == 1 ? "" : "s", all));
  }
  return out;
}

std::string pinned_text(const std::string& text, const std::vector<Pinned>& pins) {
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::string>> edits;
  for (const auto& p : pins)
    if (p.replacement != p.from.written)
      edits.push_back({{p.from.begin, p.from.end}, p.replacement});
  return trust::replace_ranges(text, std::move(edits));
}

}  // namespace

Command pin_command() {
  static PinArgs args;
  Command c;
  c.path = "pin";
  c.usage = "[OPTIONS] [CONTEXT]";
  c.summary = "Pin a Dockerfile's base images to their trusted digests";
  c.description =
      "Resolve every FROM image of a Dockerfile through content trust (targets/releases, else\n"
      "targets, as `docker dct pull`) and write the Dockerfile with each one pinned as\n"
      "NAME:TAG@sha256:DIGEST, for BuildKit, buildx, kaniko or buildah. Stage names and scratch\n"
      "are left alone; ARG values before the first FROM are expanded. No daemon is needed.\n"
      "--check fails when the Dockerfile is not already pinned to the trusted digests.";
  c.examples =
      "  docker dct pin -o Dockerfile.pinned .\n"
      "  docker dct pin --check -f build/Dockerfile\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) {
    app.add_option("CONTEXT", args.context, "Build context (default: current directory)");
    app.add_option("-f,--file", args.file, "Dockerfile (default: CONTEXT/Dockerfile; - for stdin)")
        ->type_name("string");
    app.add_option("-o,--output", args.output, "Write the pinned Dockerfile here (default: stdout)")
        ->type_name("string");
    app.add_option("--build-arg", args.build_args, "ARG value, NAME=VALUE (repeatable)")
        ->type_name("string");
    app.add_option("--format", args.format, "\"json\": the base images, digests, roles and signers")
        ->type_name("string");
    app.add_flag("--check", args.check, "Fail unless already pinned to the trusted digests");
    app.add_flag("--allow-digest", args.allow_digest, "Accept images pinned by digest with no tag");
  };
  c.run = [](Context& ctx) {
    if (!args.format.empty() && args.format != "json")
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("unknown format \"{}\": use --format json", args.format));
    const std::string text = read_dockerfile(args);
    const auto pins =
        pin_dockerfile(ctx, text, parse_build_args(args.build_args), args.allow_digest);
    if (args.format == "json") {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& p : pins) {
        nlohmann::ordered_json j;
        j["line"] = p.from.line;
        j["image"] = p.from.image;
        j["pinned"] = p.replacement;
        j["digest"] = p.resolution ? "sha256:" + p.resolution->target.digest_hex : "";
        j["role"] = p.resolution ? p.resolution->target.role : "";
        j["signers"] = p.resolution ? p.resolution->target.signers : std::vector<std::string>{};
        out.push_back(std::move(j));
      }
      *ctx.out << out.dump(4) << "\n";
    }
    if (args.check) {
      int unpinned = 0;
      for (const auto& p : pins)
        if (!p.already_pinned) {
          ++unpinned;
          *ctx.err << fmt::format("line {}: {} is not pinned; trusted: {}\n", p.from.line,
                                  p.from.image, p.replacement);
        }
      if (unpinned) return 1;
      if (args.format.empty())
        *ctx.out << fmt::format("All {} base image{} pinned to their trusted digests\n",
                                pins.size(), pins.size() == 1 ? " is" : "s are");
      return 0;
    }
    if (args.format == "json") return 0;
    const std::string pinned = pinned_text(text, pins);
    if (args.output.empty()) {
      *ctx.out << pinned;
    } else {
      trust::write_file_atomic(args.output, pinned, 0644);
    }
    return 0;
  };
  return c;
}

namespace {

bool is_trust_flag(const std::string& a) {
  return a == "--server" || a == "--trust-dir" || a.rfind("--server=", 0) == 0 ||
         a.rfind("--trust-dir=", 0) == 0;
}

}  // namespace

Command build_command() {
  Command c;
  c.path = "build";
  c.usage = "[docker build OPTIONS] CONTEXT";
  c.summary = "docker build with every base image resolved through content trust";
  c.description =
      "Resolve every FROM image of the Dockerfile (-f, default CONTEXT/Dockerfile, - for stdin)\n"
      "as `docker dct pin` does, then run `docker build` through the Docker CLI with a Dockerfile\n"
      "in which each base image is pinned as NAME:TAG@sha256:DIGEST. Every other option is passed\n"
      "to docker build unchanged. If any base image cannot be resolved, nothing runs.";
  c.examples = "  docker dct build -t registry.example.com/team/app:1.5 .\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) { app.allow_extras(true); };
  c.run = [](Context& ctx) {
    // The raw arguments after "build": docker build's own options are not ours to parse.
    std::vector<std::string> raw(ctx.invocation.args.begin() + 1, ctx.invocation.args.end());
    std::vector<std::string> pass;
    std::string file;
    std::vector<std::string> build_args;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      const std::string& a = raw[i];
      if (is_trust_flag(a)) {
        if (a.find('=') == std::string::npos) ++i;
        continue;
      }
      if (a == "-f" || a == "--file") {
        if (i + 1 >= raw.size())
          throw Error(ErrorCode::invalid_argument, fmt::format("{} needs a Dockerfile", a));
        file = raw[++i];
        continue;
      }
      if (a.rfind("--file=", 0) == 0) {
        file = a.substr(7);
        continue;
      }
      if (a == "--build-arg" && i + 1 < raw.size()) build_args.push_back(raw[i + 1]);
      if (a.rfind("--build-arg=", 0) == 0) build_args.push_back(a.substr(12));
      pass.push_back(a);
    }
    if (pass.empty() || pass.back().empty() || pass.back()[0] == '-')
      throw Error(ErrorCode::invalid_argument, "docker dct build needs the build context last",
                  "e.g. docker dct build -t app:1 .");
    const std::string context = pass.back();
    if (context == "-" || context.find("://") != std::string::npos)
      throw Error(ErrorCode::invalid_argument,
                  "the build context must be a directory here (not stdin or a URL), so that its "
                  "Dockerfile can be read");
    PinArgs pin;
    pin.context = context;
    pin.file = file;
    const std::string text = read_dockerfile(pin);
    const auto pins = pin_dockerfile(ctx, text, parse_build_args(build_args), false);
    for (const auto& p : pins) *ctx.err << fmt::format("{} -> {}\n", p.from.image, p.replacement);
    char tmpl[] = "/tmp/dct-build-XXXXXX";
    if (!::mkdtemp(tmpl)) throw Error(ErrorCode::io_failure, "cannot make a temporary directory");
    const fs::path dir(tmpl);
    const fs::path pinned = dir / "Dockerfile";
    trust::write_file_atomic(pinned, pinned_text(text, pins), 0600);
    std::vector<std::string> docker_args{"build", "-f", pinned.string()};
    docker_args.insert(docker_args.end(), pass.begin(), pass.end());
    const int rc = run_docker(ctx.invocation, docker_args);
    std::error_code ec;
    fs::remove_all(dir, ec);
    return rc;
  };
  return c;
}

}  // namespace dct::plugin
