#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <ostream>
#include <sstream>

#include "base/files.h"
#include "plugin/command.h"
#include "plugin/concurrent.h"
#include "plugin/error_output.h"
#include "plugin/format/output.h"
#include "plugin/resolve_flow.h"

namespace dct::plugin {
namespace {

struct ResolveArgs {
  std::vector<std::string> images;
  std::string file;
  std::string format;
};

constexpr std::size_t kMaxImageList = 4u << 20;

void print_warnings(const Context& ctx, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) ctx.warn(w);
}

// One reference per line; blank lines and "#" comments skipped. "-" reads stdin.
std::vector<std::string> read_image_list(const std::string& file) {
  std::string text;
  if (file == "-") {
    std::ostringstream all;
    all << std::cin.rdbuf();
    text = all.str();
  } else {
    auto read = read_file_capped(file, kMaxImageList);
    if (!read)
      throw Error(
          ErrorCode::io_failure,
          fmt::format("cannot read the image list {} (missing, unreadable or over 4 MiB)", file),
          "give a file with one image reference per line");
    text = std::move(*read);
  }
  std::vector<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    out.push_back(line.substr(first, last - first + 1));
  }
  return out;
}

// Every image at once (different repositories concurrently); results in the order given,
// each failure on stderr naming its image.
int resolve_many(Context& ctx, const std::vector<std::string>& images,
                 const format::OutputFormat& output) {
  const bool json = !output.human();
  registry::Session& session = ctx.session();
  const trust::Bundle* bundle = ctx.bundle();  // read once, before the threads share it
  std::vector<std::optional<Resolution>> results(images.size());
  const auto errors = run_grouped(
      images.size(),
      [&](std::size_t i) {
        try {
          return registry::parse_reference(images[i]).gun();
        } catch (const Error&) {
          return "\n" + images[i];  // fails on its own, in its turn
        }
      },
      [&](std::size_t i) { results[i] = resolve_image(session, images[i], json, bundle); });
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  int failed = 0;
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (errors[i]) {
      ++failed;
      const Error& e = *errors[i];
      report_error(Error(e.code(), fmt::format("{}: {}", images[i], e.what()), e.hint()), *ctx.err,
                   ctx.debug);
      if (json)
        all.push_back({{"image", images[i]},
                       {"error", {{"id", std::string(id_of(e.code()))}, {"message", e.what()}}}});
      continue;
    }
    print_warnings(ctx, results[i]->warnings);
    if (json)
      all.push_back(results[i]->to_json());
    else
      *ctx.out << results[i]->pinned() << "\n";
  }
  if (json) *ctx.out << output.render(all);
  if (failed > 0)
    *ctx.err << fmt::format("{} of {} images could not be resolved\n", failed, images.size());
  return failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace

Command resolve_command() {
  Command c;
  c.path = "resolve";
  c.usage = "[OPTIONS] IMAGE[:TAG] [IMAGE[:TAG]...]";
  c.summary = "Print the digest a tag is signed for";
  c.description =
      "Print the digest a tag is signed for, as GUN@sha256:DIGEST.\n\n"
      "The tag counts only when it is signed in targets/releases, or failing that in targets;\n"
      "every signature, expiry and hash of the trust data is verified on the way. No Docker\n"
      "daemon is needed.\n\n"
      "Several images (as arguments, or one per line in --file) are resolved at once, different\n"
      "repositories concurrently, and printed in the order given; each one that fails is reported\n"
      "on stderr and the others are still printed (exit code 1).";
  c.examples =
      "  docker dct resolve registry.example.com/team/app:1.4\n"
      "  docker dct resolve registry.example.com/team/app:1.4 registry.example.com/team/db:2\n"
      "  docker dct resolve --file images.txt\n"
      "  docker dct resolve --bundle app.trust.tar registry.example.com/team/app:1.4\n";
  c.trust_flags = true;
  c.bundle_flag = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<ResolveArgs>();
    ResolveArgs& flags = *bound;
    app.add_option("IMAGE", flags.images, "Image references");
    app.add_option("--file", flags.file,
                   "Read image references from this file, one per line (# comments; - for stdin)")
        ->type_name("string");
    app.add_option("--format", flags.format,
                   format::format_flag_help("name, tag, digest, size, role and signers"))
        ->type_name("string");
    return [bound](Context& ctx) {
      ResolveArgs& args = *bound;
      const auto output = format::OutputFormat::parse(args.format);
      const bool json = !output.human();
      std::vector<std::string> images = args.images;
      if (!args.file.empty()) {
        auto listed = read_image_list(args.file);
        images.insert(images.end(), listed.begin(), listed.end());
      }
      if (images.empty())
        throw Error(ErrorCode::invalid_argument,
                    "\"docker dct resolve\" requires at least 1 argument: IMAGE[:TAG], or --file",
                    "give IMAGE[:TAG] arguments or --file with one reference per line");
      if (images.size() > 1 || !args.file.empty()) return resolve_many(ctx, images, output);
      Resolution r =
          resolve_image(ctx.session(), images.front(), /*with_signers=*/json, ctx.bundle());
      print_warnings(ctx, r.warnings);
      for (const auto& role : r.indexed_roles)
        ctx.debug_log(fmt::format("{} of {} read through its verified index", role, r.ref.gun()));
      if (json)
        *ctx.out << output.render(r.to_json());
      else
        *ctx.out << r.pinned() << "\n";
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
