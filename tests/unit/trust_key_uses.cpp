// Which repositories and roles a key signs for, read from the trust dir's cached metadata.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.h"
#include "trust/crypto/keys.h"
#include "trust/tuf/key_uses.h"
#include "trust_mini_repo.h"

using namespace dct::trust;
namespace fs = std::filesystem;

namespace {

void cache_files(const fs::path& trust_dir, const dct::test::MiniRepo& repo) {
  const fs::path metadata = trust_dir / "tuf" / repo.gun / "metadata";
  for (const auto& [role, bytes] : repo.files) {
    const fs::path file = metadata / (role + ".json");
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << bytes;
  }
}

std::vector<std::string> uses_of(const fs::path& trust_dir, const std::string& id) {
  std::vector<std::string> out;
  for (const auto& u : cached_key_uses(trust_dir, id)) out.push_back(u.gun + " " + u.role);
  return out;
}

}  // namespace

TEST_CASE("key uses: root by its certificate's key, base roles, delegations, every repository") {
  dct::test::TempDir tmp;
  dct::test::MiniRepo app;
  app.releases = dct::test::MiniRepo::Releases::published;
  app.publish();
  cache_files(tmp.path(), app);
  dct::test::MiniRepo other;
  other.gun = "example.com/team/other";
  other.publish();
  cache_files(tmp.path(), other);

  // The root lists a certificate; the private key's ID is the canonical one.
  CHECK(uses_of(tmp.path(), app.root_key.id()) == std::vector<std::string>{"example.com/app root"});
  CHECK(uses_of(tmp.path(), app.keys.at("targets").id()) ==
        std::vector<std::string>{"example.com/app targets"});
  CHECK(uses_of(tmp.path(), app.keys.at("targets/releases").id()) ==
        std::vector<std::string>{"example.com/app targets/releases"});
  CHECK(uses_of(tmp.path(), other.keys.at("snapshot").id()) ==
        std::vector<std::string>{"example.com/team/other snapshot"});
  CHECK(uses_of(tmp.path(), PrivateKey::generate().id()).empty());

  SUBCASE("damaged files are skipped, the rest still read") {
    std::ofstream(tmp.path() / "tuf" / "example.com" / "app" / "metadata" / "root.json")
        << "{not json";
    CHECK(uses_of(tmp.path(), app.root_key.id()).empty());
    CHECK(uses_of(tmp.path(), app.keys.at("targets/releases").id()).size() == 1);
  }
  SUBCASE("no cache at all") {
    dct::test::TempDir empty;
    CHECK(uses_of(empty.path(), app.root_key.id()).empty());
  }
}
