#include <fmt/format.h>

#include <ctime>
#include <memory>
#include <ostream>
#include <set>

#include "base/files.h"
#include "plugin/command.h"
#include "plugin/expiry_notice.h"
#include "plugin/resolve_flow.h"
#include "trust/tuf/bundle.h"

namespace dct::plugin {
namespace {

struct BundleSaveArgs {
  std::vector<std::string> images;
  std::string output;
};

struct SavedRepository {
  trust::BundleRepository files;
  std::size_t trusted_tags = 0;
};

// Verifies a repository as `resolve` does (and the tag, when one is named), with the whole
// delegation tree, and keeps the verified bytes of every file that passed.
SavedRepository save_repository(Context& ctx, const registry::Reference& ref,
                                const std::vector<std::string>& tags) {
  RepositoryClient client(ctx.session(), ref);
  SavedRepository out;
  out.files.gun = ref.gun();
  try {
    client.hold_cache_writes();
    auto repo = client.update(trust::resolve_update_options());
    client.updater().load_all(repo);
    for (const auto& tag : tags) trust::resolve_tag(client.updater(), repo, tag);
    client.commit_cache();
    add_expiry_warnings(client, repo);
    for (const auto& w : repo.warnings) ctx.warn(w);
    for (const auto& [role, error] : repo.failed)
      ctx.warn(fmt::format("{} of {} failed verification and is left out of the bundle: {}", role,
                           ref.gun(), error.what()));
    out.files.files["root"] = repo.root.file.raw;
    out.files.files["timestamp"] = repo.timestamp.file.raw;
    out.files.files["snapshot"] = repo.snapshot.file.raw;
    for (const auto& [role, targets] : repo.roles) out.files.files[role] = targets.file.raw;
    out.trusted_tags = trust::candidate_tags(repo).size();
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  return out;
}

}  // namespace

Command bundle_save_command() {
  Command c;
  c.path = "bundle save";
  c.usage = "[OPTIONS] IMAGE[:TAG] [IMAGE[:TAG]...] -o FILE";
  c.summary = "Save verified trust data to a file, for use offline";
  c.description =
      "Save the trust data of one or more repositories to a tar file, after verifying it as\n"
      "`docker dct resolve` does (with a tag, that tag must resolve too).\n\n"
      "The file holds notary's trust-dir layout, tuf/<GUN>/metadata/<role>.json, with the exact\n"
      "verified bytes: `docker dct resolve|pull|pin|build --bundle FILE` verify from it with no\n"
      "notary server, and the notary client reads it once extracted\n"
      "(tar -x -C DIR -f FILE; notary -d DIR lookup GUN TAG).";
  c.examples =
      "  docker dct bundle save registry.example.com/team/app -o app.trust.tar\n"
      "  docker dct resolve --bundle app.trust.tar registry.example.com/team/app:1.4\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<BundleSaveArgs>();
    BundleSaveArgs& declared = *bound;
    app.add_option("IMAGE", declared.images, "Image references")->required();
    app.add_option("-o,--output", declared.output, "Write the bundle to this file")
        ->required()
        ->type_name("string");
    return [bound](Context& ctx) {
      BundleSaveArgs& args = *bound;
      // One entry per repository, with the tags named for it.
      std::map<std::string, std::pair<registry::Reference, std::vector<std::string>>> wanted;
      for (const auto& image : args.images) {
        registry::Reference ref = registry::parse_reference(image);
        auto& slot = wanted.try_emplace(ref.gun(), ref, std::vector<std::string>{}).first->second;
        if (ref.has_tag()) slot.second.push_back(ref.tag);
      }
      trust::Bundle bundle;
      std::vector<std::pair<std::string, SavedRepository>> saved;
      for (const auto& [gun, want] : wanted) {
        SavedRepository s = save_repository(ctx, want.first, want.second);
        bundle.add(s.files);
        saved.emplace_back(gun, std::move(s));
      }
      write_file_atomic(args.output, bundle.write(static_cast<long long>(std::time(nullptr))),
                        0644);
      for (const auto& [gun, s] : saved)
        *ctx.out << fmt::format("{}: {} trusted tags, {} metadata files\n", gun, s.trusted_tags,
                                s.files.files.size());
      *ctx.out << fmt::format("Saved {} to {}\n",
                              saved.size() == 1 ? std::string("1 repository")
                                                : fmt::format("{} repositories", saved.size()),
                              args.output);
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
