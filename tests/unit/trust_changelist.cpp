// The changelist format, against change files written by the real notary CLI
// (tests/data/changelist: addhash, addhash --roles, delegation add, remove).
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/errors.h"
#include "trust/publish/changelist.h"
#include "trust_fixture_server.h"

using namespace dct::trust;
namespace fs = std::filesystem;

namespace {
fs::path data_dir() { return fs::path(DCT_TEST_DATA_DIR) / "changelist"; }
}  // namespace

TEST_CASE("notary's change files are read in order and written back byte for byte") {
  Changelist notary_list(data_dir());
  std::vector<std::string> skipped;
  auto changes = notary_list.list(&skipped);
  CHECK(skipped.empty());
  REQUIRE(changes.size() == 5);
  CHECK(changes[0].action == "create");
  CHECK(changes[0].role == "targets");
  CHECK(changes[0].type == "target");
  CHECK(changes[0].path == "v1");
  auto meta = nlohmann::json::parse(*changes[0].data);
  CHECK(meta["length"] == 10);
  CHECK(changes[1].role == "targets/releases");
  CHECK(changes[2].type == "delegation");
  CHECK(changes[2].path == "");
  CHECK(nlohmann::json::parse(*changes[2].data)["add_keys"][0]["keytype"] == "ecdsa-x509");
  CHECK(changes[4].action == "delete");
  CHECK_FALSE(changes[4].data);
  for (const auto& c : changes)
    CHECK(c.to_file_bytes() == dct::test::read_all(data_dir() / c.file));
}

TEST_CASE("changes are added atomically, privately, in order, and removed") {
  fs::path dir = fs::temp_directory_path() / ("dct-changelist-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  Changelist list(dir / "changelist");
  Change a{"create", "targets", "target", "t1", std::string(R"({"length":1})"), ""};
  Change b{"delete", "targets", "target", "t0", std::nullopt, ""};
  auto first = list.add(a);
  auto second = list.add(b);
  CHECK(first < second);
  CHECK(first.size() == 20 + 1 + 36 + 7);
  CHECK((fs::status(dir / "changelist").permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK((fs::status(dir / "changelist" / first).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  dct::test::read_all(dir / "changelist" / first);
  auto listed = list.list();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].path == "t1");
  CHECK(listed[1].action == "delete");

  // A damaged file is reported, not fatal; reset removes it too.
  std::ofstream(dir / "changelist" / "00000000000000000001_x.change") << "{broken";
  std::vector<std::string> skipped;
  CHECK(list.list(&skipped).size() == 2);
  CHECK(skipped.size() == 1);
  list.remove({first});
  CHECK(list.list().size() == 1);
  list.remove();
  CHECK(fs::is_empty(dir / "changelist"));
  fs::remove_all(dir);
}
