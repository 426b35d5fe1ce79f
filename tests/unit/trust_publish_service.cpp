// The publishing service on its own, with the notary server's operations in memory: a new
// repository is initialized and published, a publish refused as stale is redone once on fresh
// data, and a second refusal keeps the staged changes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/errors.h"
#include "temp_dir.h"
#include "trust/crypto/signer.h"
#include "trust/formats/time.h"
#include "trust/publish/changes.h"
#include "trust/publish/publish_service.h"
#include "trust/publish/signing_roles.h"
#include "trust_fixture_server.h"

using namespace dct::trust;
using dct::Error;
using dct::ErrorCode;

namespace {

// notary-server in memory: stores what is published and signs a new timestamp over it. The
// next `stale` publishes are refused as notary refuses an upload made on old data.
class InMemoryNotaryServer final : public PublishRemote {
 public:
  explicit InMemoryNotaryServer(dct::test::FixtureServer& files) : files_(files) {}
  PublicKey server_key(const std::string& role) override {
    if (role != "timestamp") throw Error(ErrorCode::key_not_found, "no " + role + " key");
    return timestamp_.public_key();
  }
  void publish(const std::vector<RepoFile>& files) override {
    ++attempts;
    if (stale > 0) {
      --stale;
      throw Error(ErrorCode::publish_conflict, "the server refused the upload: old version");
    }
    for (const auto& f : files) files_.put(f.role + ".json", f.bytes);
    nlohmann::json ts = {
        {"_type", "Timestamp"},
        {"expires", format_rfc3339_nano(std::chrono::system_clock::now() + std::chrono::hours(1))},
        {"meta", nlohmann::json::object()},
        {"version", ++version_}};
    const std::string snapshot = files_.get("snapshot.json");
    FileMeta meta;
    meta.length = static_cast<long long>(snapshot.size());
    meta.hashes["sha256"] = dct::sha256(snapshot);
    ts["meta"]["snapshot"] = meta.to_json();
    files_.put("timestamp.json", sign_metadata(ts, {{timestamp_.id(), &timestamp_}}));
  }
  int stale = 0;
  int attempts = 0;

 private:
  dct::test::FixtureServer& files_;
  PrivateKey timestamp_ = PrivateKey::generate();
  long long version_ = 0;
};

struct PublishServiceRepo {
  std::string gun = "example.com/team/app";
  dct::test::TempDir trust_dir;
  dct::test::FixtureServer files;
  InMemoryNotaryServer notary{files};
  MemoryMetadataCache disk;
  StagedMetadataCache cache{disk};
  SystemClock clock;
  Updater updater{gun, files, cache, clock};
  FixedPassphrase passphrase{"secret"};
  SigningKeys keys{trust_dir.path(), passphrase};
  PublishService service{{gun, trust_dir.path(), updater, cache, notary}, keys};
  std::vector<PublishEvent> events;
  PublishObserver observer = [this](const PublishEvent& e) { events.push_back(e); };

  void stage_tag(const std::string& tag, const std::string& body) {
    Changelist::for_repository(trust_dir.path(), gun)
        .add(target_added("targets", tag, body.size(), dct::sha256(body)));
  }
  std::size_t staged() const {
    return Changelist::for_repository(trust_dir.path(), gun).list().size();
  }
};

}  // namespace

TEST_CASE("publish service: initializes, publishes, and what it published verifies") {
  PublishServiceRepo r;
  EditOptions init;
  init.init_if_missing = true;
  OpenedRepository opened = r.service.open_for_edit(init);
  CHECK(opened.created);
  CHECK(choose_signing_roles(opened.editor, r.keys, "1.0", {}).roles ==
        std::vector<std::string>{"targets"});
  r.stage_tag("1.0", "manifest one");
  const PublishReport report = r.service.publish_changes({}, r.observer, std::move(opened));
  CHECK(report.created);
  CHECK(report.changes == 1);
  CHECK(!report.snapshot_by_server);
  CHECK(r.staged() == 0);
  CHECK(r.notary.attempts == 1);
  REQUIRE(!r.events.empty());
  CHECK(r.events.back().kind == PublishEvent::Kind::pushing);

  // Read back through the verifier, as any client would.
  MemoryMetadataCache fresh_disk;
  Updater reader(r.gun, r.files, fresh_disk, r.clock);
  const TrustedRepository repo = reader.update();
  const Targets* targets = repo.role("targets");
  REQUIRE(targets != nullptr);
  REQUIRE(targets->targets.count("1.0") == 1);
  CHECK(targets->targets.at("1.0").sha256() == dct::sha256("manifest one"));
}

TEST_CASE("publish service: a stale publish is redone once on fresh data, twice is an error") {
  PublishServiceRepo r;
  EditOptions init;
  init.init_if_missing = true;
  r.service.publish_changes({}, r.observer, r.service.open_for_edit(init));
  r.stage_tag("1.0", "manifest one");
  r.service.publish_changes({}, r.observer);

  r.stage_tag("2.0", "manifest two");
  r.notary.stale = 1;
  r.events.clear();
  const PublishReport report = r.service.publish_changes({}, r.observer);
  CHECK(report.retried_after_conflict);
  CHECK(r.staged() == 0);
  bool retried = false;
  for (const auto& e : r.events) retried = retried || e.kind == PublishEvent::Kind::retrying;
  CHECK(retried);

  r.stage_tag("3.0", "manifest three");
  r.notary.stale = 2;
  const int before = r.notary.attempts;
  try {
    r.service.publish_changes({}, r.observer);
    FAIL("a publish refused twice succeeded");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::publish_conflict);
    CHECK(std::string(e.what()).find("the staged changes are kept") != std::string::npos);
  }
  CHECK(r.notary.attempts == before + 2);
  CHECK(r.staged() == 1);
}

TEST_CASE("publish service: a failed publish takes the command's own changes back out") {
  PublishServiceRepo r;
  EditOptions init;
  init.init_if_missing = true;
  r.service.publish_changes({}, r.observer, r.service.open_for_edit(init));
  r.stage_tag("1.0", "manifest one");  // staged earlier, by another command
  const std::string own = Changelist::for_repository(r.trust_dir.path(), r.gun)
                              .add(target_added("targets", "2.0", 12, dct::sha256("manifest two")));
  r.notary.stale = 2;
  try {
    r.service.publish_changes({}, r.observer, std::nullopt, {own});
    FAIL("a publish refused twice succeeded");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::publish_conflict);
    const std::string what = e.what();
    CHECK(what.find("nothing of this command stays staged (1 change staged earlier is kept") !=
          std::string::npos);
    CHECK(what.find("the staged changes are kept") == std::string::npos);
    CHECK(e.hint() == "run the command again");
  }
  const auto left = Changelist::for_repository(r.trust_dir.path(), r.gun).list();
  REQUIRE(left.size() == 1);
  CHECK(left[0].path == "1.0");
}

TEST_CASE("publish service: unstaging with no own changes keeps every staged change") {
  PublishServiceRepo r;
  r.stage_tag("1.0", "manifest one");
  auto changelist = Changelist::for_repository(r.trust_dir.path(), r.gun);
  const Error e = unstage_after_failure(changelist, {}, Error(ErrorCode::io_failure, "x"), r.gun);
  CHECK(std::string(e.what()) == "x");
  CHECK(r.staged() == 1);
}
