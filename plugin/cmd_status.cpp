#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/format/output.h"
#include "plugin/repository_lock.h"
#include "plugin/table.h"
#include "registry/endpoints.h"
#include "registry/notary_config.h"
#include "registry/reference.h"
#include "trust/publish/changelist.h"

namespace dct::plugin {
namespace {

struct StatusArgs {
  std::string image;
  std::string format;
  bool reset = false;
};

}  // namespace

Command status_command() {
  Command c;
  c.path = "status";
  c.check_args = check_image_args;
  c.usage = "[OPTIONS] IMAGE";
  c.summary = "Show the changes staged for the next publish";
  c.description =
      "Show the changes staged for the next publish of a repository, in notary's changelist\n"
      "(shared with `notary status` and `notary publish`). --reset drops them. --format json (or\n"
      "a template) prints one object per change: action, role, type and path.";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<StatusArgs>();
    StatusArgs& flags = *bound;
    app.add_option("IMAGE", flags.image, "Repository (image name or GUN)")->required();
    app.add_flag("--reset", flags.reset, "Drop every staged change");
    app.add_option("--format", flags.format,
                   format::format_flag_help("one object per change: action, role, type, path"))
        ->type_name("string");
    return [bound](Context& ctx) {
      StatusArgs& args = *bound;
      const auto output = format::OutputFormat::parse(args.format);
      if (args.reset && !output.human())
        throw Error(ErrorCode::invalid_argument, "--format cannot be used with --reset",
                    "run `docker dct status --reset IMAGE` on its own");
      auto ref = registry::parse_reference(args.image);
      const auto& trust_dir = ctx.session().trust_dir();
      std::optional<trust::RepoLock> lock;
      if (args.reset) lock.emplace(lock_repository(ctx, trust_dir, ref.gun()));
      auto changelist = trust::Changelist::for_repository(trust_dir, ref.gun());
      std::vector<std::string> skipped;
      auto changes = changelist.list(&skipped);
      for (const auto& s : skipped) ctx.warn(fmt::format("skipping a damaged change file: {}", s));
      if (args.reset) {
        changelist.remove();
        *ctx.out << fmt::format("Dropped {} staged change{} for {}\n", changes.size(),
                                changes.size() == 1 ? "" : "s", ref.gun());
        return 0;
      }
      if (!output.human()) {
        nlohmann::ordered_json all = nlohmann::ordered_json::array();
        for (const auto& ch : changes)
          all.push_back(
              {{"action", ch.action}, {"role", ch.role}, {"type", ch.type}, {"path", ch.path}});
        *ctx.out << output.render(all);
        return 0;
      }
      if (changes.empty()) {
        *ctx.out << fmt::format("No unpublished changes for {}\n", ref.gun());
        return 0;
      }
      std::vector<std::vector<std::string>> rows{{"#", "ACTION", "SCOPE", "TYPE", "PATH"},
                                                 {"-", "------", "-----", "----", "----"}};
      for (size_t i = 0; i < changes.size(); ++i)
        rows.push_back({std::to_string(i), changes[i].action, changes[i].role, changes[i].type,
                        changes[i].path});
      *ctx.out << fmt::format("Unpublished changes for {}:\n\n", ref.gun())
               << render_table(rows, kNotaryTable);
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
