// Recovery from a fast-forward attack: a timestamp version pushed far ahead with the old
// timestamp key stops counting once the root rotates the timestamp keys.
#include <doctest/doctest.h>

#include "error_code_of.h"
#include "trust/tuf/resolve.h"
#include "trust/tuf/updater.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;

TEST_CASE("a fast-forwarded timestamp is refused until the root rotates the timestamp key") {
  test::FixtureServer server;
  test::MiniRepo repo;
  repo.targets_tags["v1"] = "manifest bytes";
  MemoryMetadataCache cache;
  FixedClock clock(repo.now);
  auto resolve = [&] {
    Updater u(repo.gun, server, cache, clock);
    auto r = u.update(resolve_update_options());
    return resolve_tag(u, r, "v1");
  };

  // The compromised timestamp key signs a version far ahead; the client accepts it.
  repo.timestamp_version = 1000;
  repo.publish();
  repo.serve(server);
  CHECK(resolve().role == "targets");

  // Back to the honest version with the same key: a rollback.
  repo.timestamp_version = 2;
  repo.publish();
  repo.serve(server);
  CHECK(test::code_of(resolve) == ErrorCode::rollback);
  CHECK(SignedFile::parse(cache.files.at("timestamp"), "timestamp").version == 1000);

  // The server rotates the timestamp key in a new root: the old version history is dropped.
  repo.keys.erase("timestamp");
  repo.keys.emplace("timestamp", PrivateKey::generate());
  repo.root_version = 2;
  repo.publish();
  repo.serve(server);
  CHECK(resolve().role == "targets");
  CHECK(SignedFile::parse(cache.files.at("timestamp"), "timestamp").version == 2);
}
