#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/docker_exec.h"
#include "plugin/error_output.h"
#include "plugin/resolve_all.h"
#include "plugin/resolve_flow.h"
#include "registry/manifest.h"

namespace dct::plugin {
namespace {

struct PullArgs {
  std::string image;
  std::string platform;
  bool quiet = false;
  bool all_tags = false;
};

// Pulls one resolved tag by digest and tags it, as Docker 28's trusted pull did.
int pull_resolved(Context& ctx, const PullArgs& args, const Resolution& r, std::size_t index,
                  std::size_t count) {
  // The registry must still serve the signed manifest: same digest, same length.
  RepositoryClient client(ctx.session(), r.ref);
  registry::ManifestClient manifests(client.registry_authorizer());
  auto manifest = manifests.get(r.ref.path, "sha256:" + r.target.digest_hex);
  if (static_cast<long long>(manifest.length) != r.target.size)
    throw Error(ErrorCode::manifest_mismatch,
                fmt::format("the registry serves {} bytes for {}@sha256:{}, but {} bytes were "
                            "signed",
                            manifest.length, r.ref.familiar(), r.target.digest_hex, r.target.size));

  std::string by_digest = fmt::format("{}@sha256:{}", r.ref.familiar(), r.target.digest_hex);
  std::string tagged = fmt::format("{}:{}", r.ref.familiar(), r.target.tag);
  if (!args.quiet)
    *ctx.out << fmt::format("Pull ({} of {}): {}:{}@sha256:{}\n", index + 1, count,
                            r.ref.familiar(), r.target.tag, r.target.digest_hex)
             << std::flush;
  std::vector<std::string> pull{"pull"};
  if (!args.platform.empty()) pull.insert(pull.end(), {"--platform", args.platform});
  if (args.quiet) pull.push_back("--quiet");
  pull.push_back(by_digest);
  if (int rc = run_docker(ctx.invocation, pull); rc != 0) return rc;
  *ctx.err << fmt::format("Tagging {} as {}\n", by_digest, tagged);
  return run_docker(ctx.invocation, {"tag", by_digest, tagged});
}

int run_pull(Context& ctx, const PullArgs& args) {
  if (!args.all_tags) {
    Resolution r = resolve_image(ctx.session(), args.image, false, ctx.bundle());
    for (const auto& w : r.warnings) ctx.warn(w);
    return pull_resolved(ctx, args, r, 0, 1);
  }
  // Every tag is resolved before anything is pulled: one that fails stops the pull.
  const AllTags all = resolve_all_tags(ctx.session(), args.image, ctx.bundle());
  for (const auto& w : all.warnings) ctx.warn(w);
  for (std::size_t i = 0; i < all.tags.size(); ++i)
    if (int rc = pull_resolved(ctx, args, all.tags[i], i, all.tags.size()); rc != 0) return rc;
  return 0;
}

}  // namespace

Command pull_command() {
  Command c;
  c.path = "pull";
  c.usage = "[OPTIONS] IMAGE[:TAG]";
  c.summary = "Pull an image by the digest its tag is signed for";
  c.description =
      "Pull an image by the digest its tag is signed for, then tag it locally.\n\n"
      "The tag is resolved through content trust as `docker dct resolve` does; the image is\n"
      "then pulled by digest and tagged through the Docker CLI that ran the plugin.\n"
      "With -a, every tag the rule trusts (signed in targets/releases, or failing that in\n"
      "targets) is resolved first, then each is pulled by digest and tagged.";
  c.trust_flags = true;
  c.bundle_flag = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<PullArgs>();
    PullArgs& args = *bound;
    app.add_option("IMAGE", args.image, "Image reference")->required();
    app.add_option("--platform", args.platform, "Set platform if server is multi-platform capable")
        ->type_name("string");
    app.add_flag("-q,--quiet", args.quiet, "Suppress verbose output");
    app.add_flag("-a,--all-tags", args.all_tags, "Download all tagged images in the repository");
    return [bound](Context& ctx) { return run_pull(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
