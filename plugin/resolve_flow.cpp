#include "plugin/resolve_flow.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "base/errors.h"
#include "plugin/bundle_source.h"
#include "plugin/expiry_notice.h"
#include "plugin/table.h"
#include "registry/url.h"

namespace dct::plugin {

std::string Resolution::pinned() const {
  return fmt::format("{}@sha256:{}", ref.gun(), target.digest_hex);
}

nlohmann::ordered_json Resolution::to_json() const {
  nlohmann::ordered_json j;
  j["name"] = ref.gun();
  j["tag"] = target.tag;
  j["digest"] = "sha256:" + target.digest_hex;
  j["size"] = target.size;
  j["role"] = target.role;
  j["signers"] = target.signers;
  j["reference"] = pinned();
  if (bundle.empty())
    j["server"] = server_url;
  else
    j["bundle"] = bundle;
  return j;
}

void rethrow_with_server(const Error& e, const registry::NotaryServer& server) {
  std::string where =
      fmt::format("notary server {} (from {})", server.url, registry::source_name(server.source));
  switch (e.kind()) {
    case ErrorKind::network:
      if (e.code() == ErrorCode::tls_failure)
        throw Error(e.code(), fmt::format("{}: {}", where, e.what()),
                    fmt::format("if the server's certificate is issued by your own CA, put that CA "
                                "in <config dir>/tls/{}/ca.crt or set remote_server.root_ca in "
                                "~/.notary/config.json",
                                registry::url_authority(server.url)));
      throw Error(e.code(), fmt::format("{}: {}", where, e.what()),
                  e.hint().empty() ? "check the network, or set DOCKER_CONTENT_TRUST_SERVER or "
                                     "--server to the HTTPS address of your notary server"
                                   : e.hint());
    case ErrorKind::not_found:
      if (e.code() == ErrorCode::repository_not_found)
        throw Error(e.code(), fmt::format("{} (asked {})", e.what(), where), e.hint());
      throw;
    default:
      throw;
  }
}

void rethrow_with_bundle(const Error& e, const trust::Bundle& bundle) {
  if (e.kind() == ErrorKind::not_found && e.code() != ErrorCode::tag_not_found &&
      e.code() != ErrorCode::tag_not_trusted)
    throw Error(e.code(), fmt::format("{} (from bundle {})", e.what(), bundle.source()),
                "the bundle is incomplete: save it again with `docker dct bundle save`");
  if (e.kind() == ErrorKind::security)
    throw Error(e.code(), fmt::format("{} (trust data from bundle {})", e.what(), bundle.source()),
                e.hint());
  throw;
}

Resolution resolve_image(registry::Session& session, const std::string& image, bool with_signers,
                         const trust::Bundle* bundle) {
  registry::Reference ref = registry::parse_reference(image);
  if (ref.has_digest() && !ref.has_tag())
    throw Error(
        ErrorCode::invalid_reference,
        fmt::format("{} names a digest: there is no tag whose signature could be checked", image),
        "give the tag, e.g. IMAGE:TAG");
  std::optional<trust::BundleFetcher> offline;
  if (bundle) offline.emplace(verified_bundle_repository(session, *bundle, ref.gun()));
  RepositoryClient client(session, ref, registry::kPull, offline ? &*offline : nullptr);
  Resolution out;
  out.ref = ref;
  out.server_url = client.server().url;
  if (bundle) out.bundle = bundle->source();
  try {
    client.hold_cache_writes();
    auto options = trust::resolve_update_options();
    if (!bundle) options.indexed_tag = ref.tag_or_latest();
    auto repo = client.update(options);
    out.target = trust::resolve_tag(client.updater(), repo, ref.tag_or_latest(), with_signers);
    client.commit_cache();
    add_expiry_warnings(client, repo);
    out.warnings = repo.warnings;
    out.indexed_roles.assign(repo.indexed.begin(), repo.indexed.end());
  } catch (const Error& e) {
    if (bundle) rethrow_with_bundle(e, *bundle);
    rethrow_with_server(e, client.server());
  }
  if (ref.has_digest() && ref.digest != "sha256:" + out.target.digest_hex)
    throw Error(ErrorCode::manifest_mismatch,
                fmt::format("{} asks for {}, but the trusted digest of tag {} is sha256:{}", image,
                            ref.digest, out.target.tag, out.target.digest_hex));
  return out;
}

InspectOutcome inspect_image(registry::Session& session, const std::string& image) {
  registry::Reference ref = registry::parse_reference(image);
  RepositoryClient client(session, ref);
  InspectOutcome out;
  out.name = image;
  try {
    client.hold_cache_writes();
    auto repo = client.update(trust::resolve_update_options());
    client.updater().load_all(repo);
    client.commit_cache();
    out.report = trust::inspect_repository(repo, ref.tag);
    add_expiry_warnings(client, repo);
    out.warnings = repo.warnings;
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  return out;
}

nlohmann::ordered_json inspect_json(const std::vector<InspectOutcome>& outcomes) {
  auto keys = [](const std::vector<std::string>& ids) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& id : ids) list.push_back({{"ID", id}});
    return list;
  };
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& o : outcomes) {
    nlohmann::ordered_json repo;
    repo["Name"] = o.name;
    repo["SignedTags"] = nlohmann::ordered_json::array();
    for (const auto& t : o.report.signed_tags)
      repo["SignedTags"].push_back(
          {{"SignedTag", t.tag}, {"Digest", t.digest_hex}, {"Signers", t.signers}});
    repo["Signers"] = nlohmann::ordered_json::array();
    for (const auto& s : o.report.signers) {
      nlohmann::ordered_json signer{{"Name", s.name}};
      if (!s.key_ids.empty()) signer["Keys"] = keys(s.key_ids);
      repo["Signers"].push_back(signer);
    }
    repo["AdministrativeKeys"] = nlohmann::ordered_json::array();
    repo["AdministrativeKeys"].push_back({{"Name", "Root"}, {"Keys", keys(o.report.root_key_ids)}});
    repo["AdministrativeKeys"].push_back(
        {{"Name", "Repository"}, {"Keys", keys(o.report.repository_key_ids)}});
    all.push_back(repo);
  }
  return all;
}

std::string inspect_pretty(const InspectOutcome& o) {
  // Docker's layout: tabwriter tables (minwidth 10, padding 3) under headings.
  auto table = [](const std::vector<std::vector<std::string>>& rows) {
    return render_table(rows, kDockerTable);
  };
  std::string out;
  if (o.report.signed_tags.empty()) {
    out += fmt::format("\nNo signatures for {}\n\n", o.name);
  } else {
    out += fmt::format("\nSignatures for {}\n\n", o.name);
    std::vector<std::vector<std::string>> rows{{"SIGNED TAG", "DIGEST", "SIGNERS"}};
    for (const auto& t : o.report.signed_tags) {
      auto signers = t.signers;
      std::sort(signers.begin(), signers.end());
      std::string who = fmt::format("{}", fmt::join(signers, ", "));
      if (who == "Repo Admin") who = "(Repo Admin)";
      rows.push_back({t.tag, t.digest_hex, who});
    }
    out += table(rows);
  }
  if (!o.report.signers.empty()) {
    out += fmt::format("\nList of signers and their keys for {}\n\n", o.name);
    std::vector<std::vector<std::string>> rows{{"SIGNER", "KEYS"}};
    auto signers = o.report.signers;
    std::sort(signers.begin(), signers.end(),
              [](const auto& a, const auto& b) { return trust::natural_less(a.name, b.name); });
    for (const auto& s : signers) {
      std::vector<std::string> ids;
      for (const auto& id : s.key_ids) ids.push_back(id.substr(0, 12));
      std::sort(ids.begin(), ids.end());
      rows.push_back({s.name, fmt::format("{}", fmt::join(ids, ", "))});
    }
    out += table(rows);
  }
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return fmt::format("{}", fmt::join(v, ", "));
  };
  out += fmt::format("\nAdministrative keys for {}\n\n", o.name);
  out += fmt::format("  Repository Key:\t{}\n", sorted(o.report.repository_key_ids));
  out += fmt::format("  Root Key:\t{}\n", sorted(o.report.root_key_ids));
  return out;
}

}  // namespace dct::plugin
