#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/resolve_flow.h"

namespace dct::plugin {
namespace {

struct ResolveArgs {
  std::string image;
  std::string format;
};

void print_warnings(const Context& ctx, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) ctx.warn(w);
}

}  // namespace

Command resolve_command() {
  Command c;
  c.path = "resolve";
  c.usage = "[OPTIONS] IMAGE[:TAG]";
  c.summary = "Print the digest a tag is signed for";
  c.description =
      "Print the digest a tag is signed for, as GUN@sha256:DIGEST.\n\n"
      "The tag counts only when it is signed in targets/releases, or failing that in targets;\n"
      "every signature, expiry and hash of the trust data is verified on the way. No Docker\n"
      "daemon is needed.";
  c.examples =
      "  docker dct resolve registry.example.com/team/app:1.4\n"
      "  docker dct resolve --bundle app.trust.tar registry.example.com/team/app:1.4\n";
  c.trust_flags = true;
  c.bundle_flag = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<ResolveArgs>();
    ResolveArgs& args = *bound;
    app.add_option("IMAGE", args.image, "Image reference")->required();
    app.add_option("--format", args.format,
                   "Output format: \"json\" for name, tag, digest, size, role and signers")
        ->type_name("string");
    return [bound](Context& ctx) {
      ResolveArgs& args = *bound;
      if (!args.format.empty() && args.format != "json")
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("unknown format \"{}\": use --format json", args.format));
      bool json = args.format == "json";
      Resolution r = resolve_image(ctx.session(), args.image, /*with_signers=*/json, ctx.bundle());
      print_warnings(ctx, r.warnings);
      if (json)
        *ctx.out << r.to_json().dump(4) << "\n";
      else
        *ctx.out << r.pinned() << "\n";
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
