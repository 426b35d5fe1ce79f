// What `delegation remove --paths` and `delegation purge` plan on a repository's verified
// trust data: the paths and tags affected, the roles a key leaves, and notary's change.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/errors.h"
#include "error_code_of.h"
#include "plugin/delegation_paths.h"
#include "plugin/delegation_purge.h"
#include "trust/publish/repo_editor.h"
#include "trust/tuf/updater.h"
#include "trust_mini_repo.h"

using namespace dct;
using dct::test::code_of;
using nlohmann::json;

namespace {

struct PlanKeys final : trust::KeyProvider {
  std::map<std::string, const trust::PrivateKey*> held;
  void add(const trust::PrivateKey& k) { held[k.id()] = &k; }
  bool has(const std::string& id) override { return held.count(id) > 0; }
  const trust::PrivateKey& get(const std::string& id, const std::string&) override {
    return *held.at(id);
  }
};

struct PlanWorld {
  test::FixtureServer server;
  test::MiniRepo repo;
  trust::MemoryMetadataCache cache;

  PlanWorld() {
    repo.releases = test::MiniRepo::Releases::published;
    repo.releases_paths = {"release-", "v"};
    repo.releases_tags["v2"] = "two";
    repo.releases_tags["release-1"] = "one";
  }
  trust::RepoEditor editor() {
    repo.publish();
    repo.serve(server);
    trust::FixedClock clock{repo.now};
    trust::Updater u(repo.gun, server, cache, clock);
    trust::TrustedRepository r = u.update();
    u.load_all(r);
    return trust::RepoEditor(repo.gun, r);
  }
};

}  // namespace

TEST_CASE("path removal: what goes, what stays, and the tags no path allows any more") {
  PlanWorld w;
  const trust::RepoEditor editor = w.editor();
  const auto plan = plugin::plan_path_removal(editor, "targets/releases", {"v"}, false, {});
  CHECK(plan.removed == std::vector<std::string>{"v"});
  CHECK(plan.remaining == std::vector<std::string>{"release-"});
  CHECK(plan.orphaned == std::vector<std::string>{"v2"});
  CHECK_FALSE(plan.leaves_nothing);
  CHECK(plan.change.action == "update");
  CHECK(plan.change.role == "targets/releases");
  CHECK(plan.change.type == "delegation");
  CHECK(json::parse(*plan.change.data) == json{{"remove_paths", {"v"}}});
  const auto q = plugin::path_removal_question(plan, "targets/releases", w.repo.gun);
  CHECK(q.find("v2") != std::string::npos);
  CHECK(q.find("release-1") == std::string::npos);

  const auto all = plugin::plan_path_removal(editor, "targets/releases", {}, true, {"abcd"});
  CHECK(all.leaves_nothing);
  CHECK(all.orphaned.size() == 2);
  CHECK(json::parse(*all.change.data) == json{{"clear_paths", true}, {"remove_keys", {"abcd"}}});

  CHECK(code_of([&] {
          plugin::plan_path_removal(editor, "targets/releases", {"nope"}, false, {});
        }) == ErrorCode::invalid_argument);
}

TEST_CASE("purge: the roles a key leaves, whether they can still be signed, and the change") {
  PlanWorld w;
  const trust::PrivateKey second = trust::PrivateKey::generate();
  const trust::PrivateKey& first = w.repo.keys.at("targets/releases");
  w.repo.releases_keys = std::vector<trust::PublicKey>{first.public_key(), second.public_key()};
  const trust::RepoEditor editor = w.editor();
  PlanKeys owner;
  owner.add(w.repo.keys.at("targets"));

  const auto plan = plugin::plan_purge(editor, first.id().substr(0, 10), owner);
  CHECK(plan.key_id == first.id());
  REQUIRE(plan.roles.size() == 1);
  CHECK(plan.roles[0].role == "targets/releases");
  CHECK(plan.roles[0].keys_before == 2);
  CHECK(plan.roles[0].keys_left == 1);
  CHECK_FALSE(plan.roles[0].loses_trust());
  CHECK(plan.roles[0].editable);
  CHECK(plan.roles[0].tags == std::vector<std::string>{"release-1", "v2"});
  CHECK(plan.changes_anything());
  CHECK(plan.change.role == "targets/*");
  CHECK(json::parse(*plan.change.data) == json{{"remove_keys", {first.id()}}});
  CHECK(plugin::purge_question(plan, w.repo.gun).find("witness") != std::string::npos);

  PlanKeys stranger;
  CHECK_FALSE(plugin::plan_purge(editor, first.id(), stranger).changes_anything());
  CHECK(code_of([&] { plugin::plan_purge(editor, "ffffffff", owner); }) ==
        ErrorCode::invalid_argument);
}
