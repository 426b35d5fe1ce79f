#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/confirm.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "registry/endpoints.h"
#include "trust/publish/changelist.h"
#include "trust/publish/repo_lock.h"
#include "trust/tuf/cache.h"

namespace dct::plugin {
namespace {

namespace fs = std::filesystem;

struct DeleteArgs {
  std::string image;
  bool remote = false;
  bool yes = false;
};

// What the local trust data of a repository holds, for the question.
std::string local_summary(const fs::path& dir, const trust::Changelist& changelist,
                          const fs::path& lock_file) {
  std::error_code ec;
  bool any = false;
  for (const auto& e : fs::directory_iterator(dir, ec))
    any |= e.path() != lock_file;  // made by taking the lock
  if (!any) return "there is no local trust data";
  std::string out = "the cached trust data";
  const auto staged = changelist.list();
  if (!staged.empty()) {
    out += fmt::format(" and {} staged change{} that will never be published:", staged.size(),
                       staged.size() == 1 ? "" : "s");
    for (const auto& c : staged)
      out += fmt::format("\n    {} {} {} {}", c.action, c.type, c.role,
                         c.path.empty() ? "" : "\"" + c.path + "\"");
  }
  return out;
}

// Removes the repository's directory below <trust_dir>/tuf; private keys live elsewhere.
void remove_local(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot remove {}: {}", dir.string(), ec.message()),
                "check the permissions of the trust dir");
}

int run_delete(Context& ctx, const DeleteArgs& args) {
  const auto ref = registry::parse_repository(args.image);
  const fs::path trust_dir = ctx.session().trust_dir();
  const fs::path dir = trust::repository_dir(trust_dir, ref.gun());
  const auto changelist = trust::Changelist::for_repository(trust_dir, ref.gun());
  const auto lock = lock_repository(ctx, trust_dir, ref.gun());
  std::string question = fmt::format("Delete the trust data of {}?\n  Here: {}.", ref.gun(),
                                     local_summary(dir, changelist, lock.path()));
  if (args.remote)
    question += fmt::format(
        "\n  On the notary server: every signature of every tag, for every client; pulls with "
        "content trust fail until the repository is signed again. This cannot be undone.");
  question +=
      "\n  Private keys are kept. The next use of the repository trusts the root the server "
      "offers then, as on first use (unless trust pinning says otherwise).";
  if (!confirm(ctx, question, args.yes)) {
    *ctx.out << "Nothing was changed\n";
    return 1;
  }
  *ctx.out << fmt::format("Deleting trust data for repository {}\n", ref.gun());
  if (args.remote) {
    RepositoryClient client(ctx.session(), ref, registry::kPushPull);
    try {
      client.remote().delete_remote();
    } catch (const Error& e) {
      // The local data stays when the server did not delete: it still pins the root.
      rethrow_with_server(e, client.server());
    }
  }
  remove_local(dir);
  *ctx.out << fmt::format("Successfully deleted local{} trust data for repository {}\n",
                          args.remote ? " and remote" : "", ref.gun());
  return 0;
}

}  // namespace

Command delete_command() {
  Command c;
  c.path = "delete";
  c.usage = "[OPTIONS] IMAGE";
  c.summary = "Delete the trust data of a repository, here and with --remote on the server";
  c.description =
      "Delete the local trust data of a repository: its cached metadata and staged changes,\n"
      "never private keys (notary's delete). With --remote the notary server deletes it too,\n"
      "so no client trusts any of its tags until it is signed again. Asks first (--yes for\n"
      "scripts).";
  c.examples = "  docker dct delete --remote --yes registry.example.com/team/old-app\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<DeleteArgs>();
    DeleteArgs& args = *bound;
    app.add_option("IMAGE", args.image, "Repository (image name or GUN)")->required();
    app.add_flag("--remote", args.remote, "Delete the trust data on the notary server too");
    app.add_flag("-y,--yes", args.yes, "Do not ask for confirmation");
    return [bound](Context& ctx) { return run_delete(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
