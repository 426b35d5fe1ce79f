// Held cache writes: a failed verification must leave the trusted cache as it was.
#include <doctest/doctest.h>

#include "trust/tuf/cache.h"

using namespace dct::trust;

TEST_CASE("held writes are visible to reads but reach the cache only on commit") {
  MemoryMetadataCache disk;
  disk.files["timestamp"] = "old timestamp";
  disk.files["targets"] = "old targets";
  StagedMetadataCache cache(disk);
  cache.hold();
  cache.store("timestamp", "new timestamp");
  cache.remove("targets");
  CHECK(cache.load("timestamp", 100) == "new timestamp");
  CHECK_FALSE(cache.load("targets", 100).has_value());
  CHECK_FALSE(cache.load("timestamp", 5).has_value());  // the size cap still applies
  CHECK(disk.files.at("timestamp") == "old timestamp");
  CHECK(disk.files.at("targets") == "old targets");

  cache.commit();
  CHECK(disk.files.at("timestamp") == "new timestamp");
  CHECK_FALSE(disk.files.count("targets"));
  cache.store("snapshot", "written through");  // no longer held
  CHECK(disk.files.at("snapshot") == "written through");
}

TEST_CASE("discarded writes never reach the cache; the last write of a role wins") {
  MemoryMetadataCache disk;
  disk.files["root"] = "root v1";
  StagedMetadataCache cache(disk);
  cache.hold();
  cache.store("root", "root v2");
  cache.discard();
  CHECK(disk.files.at("root") == "root v1");
  CHECK(cache.load("root", 100) == "root v1");

  cache.hold();
  cache.remove("root");
  cache.store("root", "root v3");
  CHECK(cache.load("root", 100) == "root v3");
  cache.commit();
  CHECK(disk.files.at("root") == "root v3");
}
