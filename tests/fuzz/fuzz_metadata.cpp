// Notary metadata: one fuzzed file is parsed, has its signatures checked against the keys a
// real repository (tests/data/trust/delegated/state1) gives its role, and is then served as
// that role to the updater, the rest of the repository unchanged.
//
// Input: a file starting with '{' is taken as the role its "_type" names (top-level targets for
// "Targets"); otherwise the first byte chooses the role and the rest is the file.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/errors.h"
#include "trust/formats/metadata.h"
#include "trust/tuf/checks.h"
#include "trust/tuf/updater.h"
#include "trust_fixture_server.h"

using namespace dct::trust;

namespace {

constexpr const char* kRoles[] = {"root",    "timestamp",        "snapshot",
                                  "targets", "targets/releases", "targets/alice"};

const dct::test::FixtureServer& fixture() {
  static const dct::test::FixtureServer server(dct::test::trust_fixture("delegated", "state1"));
  return server;
}

const Root& fixture_root() {
  static const Root root = Root::parse(SignedFile::parse(fixture().get("root.json"), "root"));
  return root;
}

const Targets& fixture_targets() {
  static const Targets targets =
      Targets::parse(SignedFile::parse(fixture().get("targets.json"), "targets"), "targets");
  return targets;
}

std::string role_from_type(std::string_view file) {
  const auto doc = nlohmann::json::parse(file, nullptr, false);
  if (!doc.is_object()) return "targets";
  const auto s = doc.find("signed");
  if (s == doc.end() || !s->is_object()) return "targets";
  const auto t = s->find("_type");
  if (t == s->end() || !t->is_string()) return "targets";
  const std::string type = t->get<std::string>();
  if (type == "Root") return "root";
  if (type == "Timestamp") return "timestamp";
  if (type == "Snapshot") return "snapshot";
  return "targets";
}

void parse_and_verify(const std::string& role, const std::string& raw) {
  SignedFile file = SignedFile::parse(raw, role);
  if (role == "root") {
    const Root root = Root::parse(file);
    (void)verify_signatures(root.file, root.keys, root.role("root"), role);
    (void)verify_signatures(root.file, fixture_root().keys, fixture_root().role("root"), role);
  } else if (role == "timestamp" || role == "snapshot" || role == "targets") {
    if (role == "timestamp") (void)Timestamp::parse(file);
    if (role == "snapshot") (void)Snapshot::parse(file);
    if (role == "targets") (void)Targets::parse(file, role);
    (void)verify_signatures(file, fixture_root().keys, fixture_root().role(role), role);
  } else {
    (void)Targets::parse(file, role);
    const DelegationRole* d = fixture_targets().find_delegation(role);
    if (d == nullptr) return;
    RoleKeys keys{d->keyids, d->threshold};
    (void)verify_signatures(file, fixture_targets().delegation_keys, keys, role);
  }
}

void update_with(const std::string& role, const std::string& raw) {
  dct::test::FixtureServer server = fixture();
  const std::string name = role + ".json";
  const std::string original = server.get(name);
  server.put(name, raw);
  server.put(role + "." + dct::to_hex(dct::sha256(original)) + ".json", raw);
  MemoryMetadataCache cache;
  FixedClock clock(server.captured_at + std::chrono::hours(1));
  Updater updater(server.gun, server, cache, clock);
  TrustedRepository repo = updater.update();
  updater.load_all(repo);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string role;
  std::string raw;
  if (input[0] == '{') {
    raw = std::string(input);
    role = role_from_type(raw);
  } else {
    role = kRoles[data[0] % std::size(kRoles)];
    raw = std::string(input.substr(1));
  }
  try {
    parse_and_verify(role, raw);
  } catch (const dct::Error&) {
  }
  try {
    update_with(role, raw);
  } catch (const dct::Error&) {
  }
  return 0;
}
