#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/error_output.h"
#include "plugin/format/output.h"
#include "plugin/resolve_flow.h"

namespace dct::plugin {
namespace {

struct InspectArgs {
  std::vector<std::string> images;
  std::string format;
  bool pretty = false;
};

}  // namespace

Command inspect_command() {
  Command c;
  c.path = "inspect";
  c.usage = "[OPTIONS] IMAGE[:TAG] [IMAGE[:TAG]...]";
  c.summary = "Return low-level information about keys and signatures";
  c.description =
      "Return low-level information about keys and signatures, as `docker trust inspect` "
      "does.";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<InspectArgs>();
    InspectArgs& flags = *bound;
    app.add_option("IMAGE", flags.images, "Image references")->required();
    app.add_flag("--pretty", flags.pretty, "Print the information in a human friendly format");
    app.add_option("--format", flags.format,
                   "Format the output with a Go template run on each repository of the JSON "
                   "(\"{{.Name}}\", \"{{range .SignedTags}}{{.SignedTag}} {{end}}\")")
        ->type_name("string");
    return [bound](Context& ctx) {
      InspectArgs& args = *bound;
      const auto output = format::OutputFormat::parse(args.format);
      if (args.pretty && !output.human())
        throw Error(ErrorCode::invalid_argument, "--pretty and --format cannot be used together",
                    "choose one");
      std::vector<InspectOutcome> outcomes;
      int failures = 0;
      for (const auto& image : args.images) {
        try {
          outcomes.push_back(inspect_image(ctx.session(), image));
          for (const auto& w : outcomes.back().warnings) ctx.warn(w);
        } catch (const Error& e) {
          ++failures;
          report_error(e, *ctx.err, ctx.debug);
          *ctx.err << fmt::format("no signatures or cannot access {}\n", image);
        }
      }
      if (args.pretty) {
        for (size_t i = 0; i < outcomes.size(); ++i)
          *ctx.out << (i ? "\n\n" : "") << inspect_pretty(outcomes[i]);
      } else if (output.templated()) {
        *ctx.out << output.render(inspect_json(outcomes));
      } else {
        *ctx.out << inspect_json(outcomes).dump(4) << "\n";
      }
      return failures ? kExitFailure : kExitOk;
    };
  };
  return c;
}

}  // namespace dct::plugin
