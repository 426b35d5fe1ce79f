#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "base/files.h"
#include "plugin/command.h"
#include "plugin/format/output.h"
#include "plugin/pin_flow.h"

namespace dct::plugin {
namespace {

struct PinArgs {
  std::string context = ".";
  std::string file;
  std::string output;
  std::vector<std::string> build_args;
  std::string format;
  bool check = false;
  bool allow_digest = false;
};

}  // namespace

Command pin_command() {
  Command c;
  c.path = "pin";
  c.usage = "[OPTIONS] [CONTEXT]";
  c.summary = "Pin a Dockerfile's images to their trusted digests";
  c.description =
      "Resolve every image a Dockerfile uses (FROM, COPY --from, RUN --mount from=, and the\n"
      "# syntax frontend) through content trust (targets/releases, else targets, as\n"
      "`docker dct pull`) and write the Dockerfile with each one pinned as\n"
      "NAME:TAG@sha256:DIGEST, for BuildKit, buildx, kaniko or buildah. Stage names and indexes\n"
      "and scratch are left alone; ARG values before the first FROM are expanded. No daemon is\n"
      "needed. --check fails when the Dockerfile is not already pinned to the trusted digests.";
  c.examples =
      "  docker dct pin -o Dockerfile.pinned .\n"
      "  docker dct pin --check -f build/Dockerfile\n";
  c.trust_flags = true;
  c.bundle_flag = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<PinArgs>();
    PinArgs& flags = *bound;
    app.add_option("CONTEXT", flags.context, "Build context (default: current directory)");
    app.add_option("-f,--file", flags.file, "Dockerfile (default: CONTEXT/Dockerfile; - for stdin)")
        ->type_name("string");
    app.add_option("-o,--output", flags.output,
                   "Write the pinned Dockerfile here (default: stdout)")
        ->type_name("string");
    app.add_option("--build-arg", flags.build_args, "ARG value, NAME=VALUE (repeatable)")
        ->type_name("string");
    app.add_option("--format", flags.format,
                   format::format_flag_help(
                       "the images, their lines and instructions, digests, roles and signers"))
        ->type_name("string");
    app.add_flag("--check", flags.check, "Fail unless already pinned to the trusted digests");
    app.add_flag("--allow-digest", flags.allow_digest,
                 "Accept images pinned by digest with no tag");
    return [bound](Context& ctx) {
      PinArgs& args = *bound;
      const auto output = format::OutputFormat::parse(args.format);
      const std::string text = read_dockerfile(args.file, args.context).text;
      PinOptions options;
      options.build_args = parse_build_args(args.build_args);
      options.allow_digest = args.allow_digest;
      const auto pins = pin_dockerfile(ctx, text, options).pins;
      if (!output.human()) *ctx.out << output.render(pins_json(pins));
      if (args.check) {
        int unpinned = 0;
        for (const auto& p : pins)
          if (!p.already_pinned) {
            ++unpinned;
            *ctx.err << fmt::format("line {}: {} {} is not pinned; trusted: {}\n", p.ref.line,
                                    trust::describe(p.ref.source), p.ref.image, p.replacement);
          }
        if (unpinned) return 1;
        if (output.human())
          *ctx.out << fmt::format("All {} image{} pinned to their trusted digests\n", pins.size(),
                                  pins.size() == 1 ? " is" : "s are");
        return 0;
      }
      if (!output.human()) return 0;
      const std::string pinned = pinned_text(text, pins);
      if (args.output.empty()) {
        *ctx.out << pinned;
      } else {
        write_file_atomic(args.output, pinned, 0644);
      }
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
