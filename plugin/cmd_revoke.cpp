#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/confirm.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "trust/publish/changes.h"

namespace dct::plugin {
namespace {

struct RevokeArgs {
  std::string image;
  bool yes = false;
};

}  // namespace

Command revoke_command() {
  Command c;
  c.path = "revoke";
  c.check_args = check_image_args;
  c.usage = "[OPTIONS] IMAGE[:TAG]";
  c.summary = "Remove the signatures of a tag, or of every tag";
  c.description =
      "Remove the signatures of a tag from every role whose key is in the trust dir, like\n"
      "`docker trust revoke`; without a tag, every signed tag of the repository. Pulls refuse a\n"
      "tag once no trusted role signs it. Asks for confirmation first (--yes for scripts).";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<RevokeArgs>();
    RevokeArgs& flags = *bound;
    app.add_option("IMAGE", flags.image, "Image reference, with or without a tag")->required();
    app.add_flag("-y,--yes", flags.yes, "Do not ask for confirmation");
    return [bound](Context& ctx) {
      RevokeArgs& args = *bound;
      const auto ref = registry::parse_reference(args.image);
      if (ref.has_digest())
        throw Error(ErrorCode::invalid_reference,
                    fmt::format("\"{}\" has a digest: revoke by tag", args.image));
      RepositoryClient client(ctx.session(), ref, registry::kPushPull);
      PassphrasePrompt passphrases;
      SigningKeys keys(client.trust_dir(), passphrases);
      const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
      EditOptions options;
      options.all_roles = true;
      try {
        OpenedRepository opened = open_for_edit(client, keys, options);
        std::vector<trust::Change> removals;
        std::vector<std::string> unsignable;
        std::vector<std::string> names = {"targets"};
        for (const auto& role : opened.editor.delegations_of("targets")) names.push_back(role.name);
        for (size_t i = 1; i < names.size(); ++i)
          for (const auto& d : opened.editor.delegations_of(names[i])) names.push_back(d.name);
        for (const auto& role : names) {
          const trust::EditableTargets* t = opened.editor.role(role);
          if (!t) continue;
          bool listed = false;
          for (const auto& [tag, meta] : t->targets) {
            if (ref.has_tag() && tag != ref.tag) continue;
            listed = true;
            if (opened.editor.can_sign(role, keys))
              removals.push_back(trust::target_removed(role, tag));
          }
          if (listed && !opened.editor.can_sign(role, keys)) unsignable.push_back(role);
        }
        const std::string what =
            ref.has_tag() ? fmt::format("{}:{}", ref.gun(), ref.tag) : ref.gun();
        if (removals.empty()) {
          if (!unsignable.empty()) {
            std::string roles;
            for (const auto& r : unsignable) roles += (roles.empty() ? "" : ", ") + r;
            throw Error(ErrorCode::no_signing_key,
                        fmt::format("{} is signed only in roles whose keys are not in this trust "
                                    "dir: {}",
                                    what, roles));
          }
          throw Error(ErrorCode::tag_not_found, fmt::format("no signatures found for {}", what));
        }
        std::string listing;
        for (const auto& r : removals) listing += fmt::format("\n  {} in {}", r.path, r.role);
        if (!confirm(ctx, fmt::format("Remove these signatures of {}?{}\n", what, listing),
                     args.yes)) {
          *ctx.out << "Nothing was changed\n";
          return 1;
        }
        for (const auto& r : unsignable)
          ctx.warn(fmt::format("{} also signs {}, but its key is not here: that signature stays", r,
                               what));
        auto changelist = trust::Changelist::for_repository(client.trust_dir(), ref.gun());
        if (const auto staged = changelist.list().size())
          ctx.warn(fmt::format("{} change{} staged earlier for {} are published along with this",
                               staged, staged == 1 ? "" : "s", ref.gun()));
        std::vector<std::string> staged;
        for (const auto& r : removals) staged.push_back(changelist.add(r));
        publish_changes(
            client, keys, {}, [&](const std::string& line) { *ctx.out << line << "\n"; },
            std::nullopt, staged);
        *ctx.out << fmt::format("Successfully deleted signature for {}\n", what);
      } catch (const Error& e) {
        rethrow_with_server(e, client.server());
      }
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
