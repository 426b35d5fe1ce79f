#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "base/encoding.h"
#include "plugin/command.h"
#include "plugin/confirm.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/publish_now.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "registry/endpoints.h"

namespace dct::plugin {
namespace {

struct WitnessArgs {
  std::string image;
  std::vector<std::string> roles;
  bool yes = false;
  bool publish = false;
};

void check_witness_role(const std::string& role) {
  if (role == "root" || role == "snapshot" || role == "timestamp")
    throw Error(ErrorCode::invalid_role_name,
                fmt::format("{} cannot be witnessed: only targets and delegation roles", role),
                role == "root" ? "the root is signed again by `docker dct key rotate`"
                               : "every publish signs the snapshot and timestamp again");
  if (role != "targets" && !trust::is_valid_delegation_name(role))
    throw Error(ErrorCode::invalid_role_name, fmt::format("\"{}\" is not a role name", role),
                "roles are targets or targets/<name>, e.g. targets/releases");
}

// What a role's witness signs again that is not trusted now, for the question asked first.
std::string unverified_listing(const trust::Targets& t) {
  std::string out = fmt::format(
      "\n{} (version {}, expires {}) failed verification: signing it again vouches for:",
      t.role_name, t.file.version, t.file.expires_text);
  if (t.targets.empty()) out += "\n  no tags";
  for (const auto& [tag, meta] : t.targets) {
    const auto sha = meta.sha256();
    out += fmt::format("\n  {}  sha256:{}", tag, sha ? to_hex(*sha) : "?");
  }
  return out;
}

int run_witness(Context& ctx, const WitnessArgs& args) {
  const auto ref = registry::parse_repository(args.image);
  for (const auto& r : args.roles) check_witness_role(r);
  RepositoryClient client(ctx.session(), ref, registry::kPushPull);
  PassphrasePrompt passphrases;
  SigningKeys keys(client.trust_dir(), passphrases);
  const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
  std::string question;
  try {
    EditOptions options;
    options.all_roles = true;
    options.witness_roles = args.roles;
    OpenedRepository opened = open_for_edit(client, keys, options);
    for (const auto& w : opened.warnings) ctx.warn(w);
    const trust::RepoEditor& editor = opened.editor;
    for (const auto& r : args.roles) {
      const trust::Targets* failed = editor.unverified(r);
      if (!editor.role(r) && !failed)
        throw Error(
            ErrorCode::invalid_role_name,
            fmt::format("{} has no metadata of {} that can be signed again: the role does not "
                        "exist, was never published, or failed verification for a reason other "
                        "than its expiry or threshold",
                        ref.gun(), r),
            fmt::format("`docker dct delegation list {}` shows its roles and `docker dct check {}` "
                        "what failed",
                        ref.gun(), ref.gun()));
      if (!editor.can_sign(r, keys))
        throw Error(ErrorCode::no_signing_key,
                    fmt::format("{} of {} cannot be signed here: its threshold is {} and not "
                                "enough of its keys are in the private key store",
                                r, ref.gun(), editor.signers(r).threshold),
                    "import the role's key with `docker dct key import`");
      if (failed) question += unverified_listing(*failed);
    }
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  if (!question.empty() &&
      !confirm(ctx, "Sign these roles again as they are?" + question, args.yes)) {
    *ctx.out << "Nothing was changed\n";
    return 1;
  }
  auto changelist = trust::Changelist::for_repository(client.trust_dir(), ref.gun());
  std::string listed;
  std::vector<std::string> staged;
  for (const auto& r : args.roles) {
    trust::Change c;
    c.action = "update";
    c.role = r;
    c.type = "witness";
    c.path = "";
    staged.push_back(changelist.add(c));
    listed += "\n\t- " + r;
  }
  *ctx.out << "The following roles were successfully marked for witnessing on the next publish:"
           << listed << "\n";
  if (args.yes && !question.empty()) *ctx.out << question.substr(1) << "\n";
  if (args.publish) publish_staged_now(ctx, ref, staged);
  return 0;
}

}  // namespace

Command witness_command() {
  Command c;
  c.path = "witness";
  c.usage = "[OPTIONS] IMAGE ROLE...";
  c.summary = "Sign roles again so that they are valid again";
  c.description =
      "Mark roles to be signed again, as they are, with the keys held here (notary's\n"
      "witness): a role that expired, or that fell below its threshold when a signer was\n"
      "removed, becomes valid again, and one about to expire gets a new expiry. A role that\n"
      "failed verification is shown with the tags it would vouch for, and confirmed first\n"
      "(--yes for scripts). Staged for `docker dct publish` unless -p is given.";
  c.examples = "  docker dct witness -p registry.example.com/team/app targets/releases\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<WitnessArgs>();
    WitnessArgs& args = *bound;
    app.add_option("IMAGE", args.image, "Repository (image name or GUN)")->required();
    app.add_option("ROLE", args.roles, "Roles: targets or delegations")->required();
    app.add_flag("-y,--yes", args.yes, "Do not ask for confirmation");
    app.add_flag("-p,--publish", args.publish, "Publish right away");
    return [bound](Context& ctx) { return run_witness(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
