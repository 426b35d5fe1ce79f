#include <fmt/format.h>

#include <memory>
#include <optional>
#include <ostream>

#include "plugin/command.h"
#include "plugin/confirm.h"
#include "plugin/delegation_purge.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/publish_now.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "registry/endpoints.h"

namespace dct::plugin {
namespace {

struct PurgeArgs {
  std::string key;
  std::vector<std::string> images;
  bool yes = false;
  bool publish = false;
};

// Plans, confirms and stages the purge for one repository: the change file staged, or nullopt
// when nothing was.
std::optional<std::string> purge_one(Context& ctx, const PurgeArgs& args,
                                     const registry::Reference& ref) {
  RepositoryClient client(ctx.session(), ref, registry::kPushPull);
  PassphrasePrompt passphrases;
  SigningKeys keys(client.trust_dir(), passphrases);
  const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
  PurgePlan plan;
  try {
    EditOptions options;
    options.all_roles = true;
    OpenedRepository opened = open_for_edit(client, keys, options);
    for (const auto& w : opened.warnings) ctx.warn(w);
    plan = plan_purge(opened.editor, args.key, keys);
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  for (const auto& r : plan.roles)
    if (!r.editable)
      ctx.warn(fmt::format("{} of {} is left as it is: none of the keys of {} is held here", r.role,
                           ref.gun(), r.parent));
  if (!plan.changes_anything()) {
    *ctx.out << fmt::format("Nothing to purge in {}: no delegation it can change has key {}\n",
                            ref.gun(), plan.key_id);
    return std::nullopt;
  }
  if (!confirm(ctx, purge_question(plan, ref.gun()), args.yes)) {
    *ctx.out << fmt::format("Nothing was changed in {}\n", ref.gun());
    return std::nullopt;
  }
  std::string staged =
      trust::Changelist::for_repository(client.trust_dir(), ref.gun()).add(plan.change);
  std::string roles;
  for (const auto& r : plan.roles)
    if (r.editable) roles += (roles.empty() ? "" : ", ") + r.role;
  *ctx.out << fmt::format(
      "\nRemoval of key {} from delegation roles [{}] of repository \"{}\" staged for next "
      "publish.{}\n\n",
      plan.key_id, roles, ref.gun(), args.yes ? purge_effects(plan, ref.gun()) : "");
  return staged;
}

int run_purge(Context& ctx, const PurgeArgs& args) {
  std::vector<registry::Reference> refs;
  for (const auto& image : args.images) refs.push_back(registry::parse_repository(image));
  int failed = 0;
  for (const auto& ref : refs) {
    try {
      if (auto staged = purge_one(ctx, args, ref); staged && args.publish)
        publish_staged_now(ctx, ref, {*staged});
    } catch (const Error& e) {
      // One repository failing (say, it has no such key) does not stop the others; a failed
      // verification, or a confirmation there is no terminal to ask on, does.
      if (refs.size() == 1 || e.is_security() || (!args.yes && !ctx.stdin_is_tty)) throw;
      *ctx.err << fmt::format("{}: {}\n", ref.gun(), e.what());
      ++failed;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace

Command delegation_purge_command() {
  Command c;
  c.path = "delegation purge";
  c.usage = "[OPTIONS] KEYID IMAGE...";
  c.summary = "Remove a signer's key from every delegation of repositories";
  c.description =
      "Remove a key from every delegation role of the given repositories, as `notary\n"
      "delegation purge` does: for a collaborator who left. KEYID is a key ID, a unique prefix,\n"
      "or the name on the key's certificate. The roles and tags affected are listed and\n"
      "confirmed first (--yes for scripts). Staged unless -p is given.";
  c.examples = "  docker dct delegation purge --yes -p jeff registry.example.com/team/app\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<PurgeArgs>();
    PurgeArgs& args = *bound;
    app.add_option("KEYID", args.key, "Key ID, ID prefix or certificate name")->required();
    app.add_option("IMAGE", args.images, "Repositories (image names or GUNs)")->required();
    app.add_flag("-y,--yes", args.yes, "Do not ask for confirmation");
    app.add_flag("-p,--publish", args.publish, "Publish right away");
    return [bound](Context& ctx) { return run_purge(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
