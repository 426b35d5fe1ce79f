#include "plugin/resolve_all.h"

#include <fmt/format.h>

#include <set>

#include "base/errors.h"
#include "plugin/bundle_source.h"
#include "plugin/expiry_notice.h"

namespace dct::plugin {

AllTags resolve_all_tags(registry::Session& session, const std::string& image,
                         const trust::Bundle* bundle) {
  registry::Reference ref = registry::parse_reference(image);
  if (ref.has_tag() || ref.has_digest())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("tag can't be used with --all-tags/-a: {}", image),
                fmt::format("give the repository alone: {}", ref.familiar()));
  std::optional<trust::BundleFetcher> offline;
  if (bundle) offline.emplace(verified_bundle_repository(session, *bundle, ref.gun()));
  RepositoryClient client(session, ref, registry::kPull, offline ? &*offline : nullptr);
  AllTags out;
  try {
    client.hold_cache_writes();
    auto repo = client.update(trust::resolve_update_options());
    const std::set<std::string> names = trust::candidate_tags(repo);
    for (const auto& name : names) {
      try {
        Resolution r;
        r.ref = ref;
        r.ref.tag = name;
        r.server_url = client.server().url;
        if (bundle) r.bundle = bundle->source();
        r.target = trust::resolve_tag(client.updater(), repo, name, false);
        out.tags.push_back(std::move(r));
      } catch (const Error& e) {
        if (e.is_security() || e.kind() == ErrorKind::network) throw;
        out.warnings.push_back(fmt::format("skipping tag {}: {}", name, e.what()));
      }
    }
    client.commit_cache();
    add_expiry_warnings(client, repo);
    out.warnings.insert(out.warnings.begin(), repo.warnings.begin(), repo.warnings.end());
  } catch (const Error& e) {
    if (bundle) rethrow_with_bundle(e, *bundle);
    rethrow_with_server(e, client.server());
  }
  if (out.tags.empty())
    throw Error(ErrorCode::tag_not_found, fmt::format("No trusted tags for {}", ref.gun()),
                "a tag counts when it is signed in targets/releases, or failing that in targets");
  return out;
}

}  // namespace dct::plugin
