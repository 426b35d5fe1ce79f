#include <fmt/format.h>

#include <memory>
#include <ostream>
#include <set>

#include "plugin/check_output.h"
#include "plugin/command.h"
#include "plugin/duration.h"
#include "plugin/error_output.h"
#include "plugin/expiry_notice.h"
#include "plugin/format/output.h"
#include "plugin/resolve_flow.h"
#include "trust/tuf/resolve.h"

namespace dct::plugin {
namespace {

struct CheckArgs {
  std::vector<std::string> images;
  std::string within = "30d";
  std::string format;
};

// Verifies the repository's trust data as resolve does, the whole delegation tree loaded.
CheckOutcome check_repository(registry::Session& session, const registry::Reference& ref) {
  CheckOutcome out;
  out.name = ref.gun();
  RepositoryClient client(session, ref);
  try {
    try {
      client.hold_cache_writes();
      auto repo = client.update(trust::resolve_update_options());
      client.updater().load_all(repo);
      client.commit_cache();
      out.report = trust::analyse_expiry(
          repo, {.snapshot_key_local = snapshot_key_held(repo.root, client.trust_dir())});
      out.warnings = repo.warnings;
    } catch (const Error& e) {
      rethrow_with_server(e, client.server());
    }
  } catch (const Error& e) {
    out.error = e;
  }
  return out;
}

}  // namespace

Command check_command() {
  Command c;
  c.path = "check";
  c.usage = "[OPTIONS] IMAGE [IMAGE...]";
  c.summary = "Report when a repository's trust data expires";
  c.description =
      "Verify each repository's trust data as resolve does, then list when every role\n"
      "(root, targets, snapshot, timestamp, each delegation) and every certificate (root\n"
      "certificates, delegation keys that are certificates) expires, the tags that lose trust\n"
      "when each does, and delegations that can no longer meet their threshold. A tag on IMAGE\n"
      "is ignored: the repository is checked.\n\n"
      "Exit status 0 when nothing expires within --within, 1 when something expires in that\n"
      "time or already has, or the trust data cannot be read or fails verification.\n"
      "The timestamp, and the snapshot when no key of this trust dir signs it, are renewed by\n"
      "the notary server on its own (it signs a new one whenever the old one has expired): they\n"
      "are shown, marked *, but never fail the check.\n\n"
      "--format json prints an array with one object per repository: name, within_seconds,\n"
      "ok, error (null or {id, message}), trusted_tags, expiries (each: kind \"role\" or\n"
      "\"certificate\", role, key_id, expires (RFC 3339), status \"valid\", \"expiring\" or\n"
      "\"expired\", server_managed, fails, tags, failure) and under_threshold (each: role,\n"
      "threshold, usable_keys).";
  c.examples =
      "  docker dct check registry.example.com/team/app\n"
      "  docker dct check --within 7d --format json registry.example.com/team/app | jq .\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<CheckArgs>();
    CheckArgs& args = *bound;
    app.add_option("IMAGE", args.images, "Repositories (image names, a tag is ignored)")
        ->required();
    app.add_option("--within", args.within,
                   "Fail when something expires within this time: 30d, 720h, 90m, 1d12h "
                   "(default 30d)")
        ->type_name("duration");
    app.add_option("--format", args.format, format::format_flag_help("one object per repository"))
        ->type_name("string");
    return [bound](Context& ctx) {
      const CheckArgs& a = *bound;
      const auto output = format::OutputFormat::parse(a.format);
      CheckWindow window{std::chrono::system_clock::now(), parse_duration(a.within, "--within"),
                         a.within};
      std::vector<registry::Reference> refs;
      std::set<std::string> seen;
      for (const auto& image : a.images) {
        auto ref = registry::parse_reference(image);
        if (seen.insert(ref.gun()).second) refs.push_back(ref);
      }
      std::vector<CheckOutcome> outcomes;
      int failures = 0;
      for (const auto& ref : refs) {
        outcomes.push_back(check_repository(ctx.session(), ref));
        const CheckOutcome& o = outcomes.back();
        for (const auto& w : o.warnings) ctx.warn(w);
        if (o.error) report_error(*o.error, *ctx.err, ctx.debug);
        if (o.fails(window.now, window.within)) ++failures;
      }
      if (!output.human()) {
        *ctx.out << output.render(check_json(outcomes, window));
      } else {
        for (const auto& o : outcomes)
          if (o.report) *ctx.out << check_table(o, window);
      }
      return failures ? kExitFailure : kExitOk;
    };
  };
  return c;
}

}  // namespace dct::plugin
