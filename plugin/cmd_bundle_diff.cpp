#include <fmt/format.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "plugin/bundle_source.h"
#include "plugin/command.h"
#include "plugin/format/output.h"
#include "plugin/table.h"
#include "trust/formats/metadata.h"
#include "trust/tuf/resolve.h"

namespace dct::plugin {
namespace {

struct BundleDiffArgs {
  std::string old_file;
  std::string new_file;
  std::string format;
};

struct DiffTarget {
  std::string digest_hex;
  std::string role;
};
// repository -> tag -> what the trust rule resolves it to
using TrustedTags = std::map<std::string, std::map<std::string, DiffTarget>>;

// Verifies one repository of a bundle (offline, against `cache`) and resolves every tag the
// trust rule trusts. Tags signed only where the rule does not look are left out; security
// failures are not.
std::map<std::string, DiffTarget> trusted_tags_of(const trust::BundleRepository& files,
                                                  trust::MetadataCache& cache,
                                                  const trust::TrustPinning& pinning,
                                                  const trust::Bundle& bundle) {
  trust::BundleFetcher fetcher(files);
  trust::SystemClock clock;
  std::map<std::string, DiffTarget> out;
  try {
    trust::verify_bundle_repository(files, cache.load("root", trust::kMaxRootSize), clock, pinning);
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{} in bundle {}: {}", files.gun, bundle.source(), e.what()),
                e.hint());
  }
  trust::Updater updater(files.gun, fetcher, cache, clock, pinning);
  try {
    auto repo = updater.update(trust::resolve_update_options());
    const std::set<std::string> names = trust::candidate_tags(repo);
    for (const auto& name : names) {
      try {
        auto t = trust::resolve_tag(updater, repo, name);
        out[name] = {t.digest_hex, t.role};
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::not_found) throw;
      }
    }
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{} in bundle {}: {}", files.gun, bundle.source(), e.what()),
                e.hint());
  }
  return out;
}

struct TagChange {
  std::string repository, tag, change;
  std::optional<DiffTarget> before, after;
};

std::vector<TagChange> diff_tags(const TrustedTags& before, const TrustedTags& after) {
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto* side : {&before, &after})
    for (const auto& [gun, tags] : *side)
      for (const auto& [tag, t] : tags) keys.emplace(gun, tag);
  auto find = [](const TrustedTags& m, const std::string& gun,
                 const std::string& tag) -> std::optional<DiffTarget> {
    auto r = m.find(gun);
    if (r == m.end()) return std::nullopt;
    auto t = r->second.find(tag);
    if (t == r->second.end()) return std::nullopt;
    return t->second;
  };
  std::vector<TagChange> out;
  for (const auto& [gun, tag] : keys) {
    TagChange c{gun, tag, "", find(before, gun, tag), find(after, gun, tag)};
    if (!c.before)
      c.change = "added";
    else if (!c.after)
      c.change = "removed";
    else if (c.before->digest_hex != c.after->digest_hex)
      c.change = "changed";
    else
      continue;
    out.push_back(std::move(c));
  }
  return out;
}

nlohmann::ordered_json diff_json(const std::vector<TagChange>& changes) {
  auto side = [](const std::optional<DiffTarget>& t) -> nlohmann::ordered_json {
    if (!t) return nullptr;
    return {{"digest", "sha256:" + t->digest_hex}, {"role", t->role}};
  };
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& c : changes)
    all.push_back({{"name", c.repository},
                   {"tag", c.tag},
                   {"change", c.change},
                   {"old", side(c.before)},
                   {"new", side(c.after)}});
  return all;
}

std::string diff_table(const std::vector<TagChange>& changes) {
  if (changes.empty()) return "No tag changed\n";
  std::vector<std::vector<std::string>> rows{{"REPOSITORY", "TAG", "CHANGE", "OLD", "NEW"}};
  auto cell = [](const std::optional<DiffTarget>& t) {
    return t ? fmt::format("sha256:{} ({})", t->digest_hex, t->role) : std::string("-");
  };
  for (const auto& c : changes)
    rows.push_back({c.repository, c.tag, c.change, cell(c.before), cell(c.after)});
  return render_table(rows, kDockerTable);
}

}  // namespace

Command bundle_diff_command() {
  Command c;
  c.path = "bundle diff";
  c.usage = "[OPTIONS] OLD NEW";
  c.summary = "Show which tags a newer bundle adds, removes or moves";
  c.description =
      "Show which tags were added, removed or changed digest between two bundles, under the\n"
      "trust rule (targets/releases, else targets), so that an update can be reviewed before\n"
      "it is used.\n\n"
      "Both bundles are verified first, offline: OLD on its own (with the notary config's trust\n"
      "pinning), NEW as an update of OLD (signatures, thresholds, hashes, expiry, no rollback,\n"
      "root rotations signed by OLD's root keys). The trust dir is neither read nor changed.";
  c.examples = "  docker dct bundle diff app.trust.tar app.new.trust.tar\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<BundleDiffArgs>();
    BundleDiffArgs& declared = *bound;
    app.add_option("OLD", declared.old_file, "The bundle in use")->required();
    app.add_option("NEW", declared.new_file, "The bundle to review")->required();
    app.add_option("--format", declared.format,
                   format::format_flag_help("a list of changes (name, tag, change, old, new)"))
        ->type_name("string");
    return [bound](Context& ctx) {
      BundleDiffArgs& args = *bound;
      const auto output = format::OutputFormat::parse(args.format);
      const auto old_bundle = read_bundle(args.old_file);
      const auto new_bundle = read_bundle(args.new_file);
      const trust::TrustPinning& pinning = ctx.session().trust_pinning();
      TrustedTags before, after;
      std::map<std::string, trust::MemoryMetadataCache> caches;  // per repository, OLD then NEW
      for (const auto& [gun, files] : old_bundle->repositories())
        before[gun] = trusted_tags_of(files, caches[gun], pinning, *old_bundle);
      for (const auto& [gun, files] : new_bundle->repositories())
        after[gun] = trusted_tags_of(files, caches[gun], pinning, *new_bundle);
      const auto changes = diff_tags(before, after);
      if (!output.human())
        *ctx.out << output.render(diff_json(changes));
      else
        *ctx.out << diff_table(changes);
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
