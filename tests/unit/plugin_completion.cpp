// Shell completion: `docker __complete dct ...` answers from the command table, the trust cache
// and the key store, in cobra's format.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "plugin/command.h"
#include "plugin/completion.h"
#include "plugin/declare_command.h"
#include "plugin/help.h"
#include "registry_test_server.h"
#include "temp_dir.h"
#include "trust/crypto/key_store.h"
#include "trust/crypto/passphrase.h"
#include "trust/crypto/private_key.h"

using namespace dct::plugin;
using dct::test::TempDir;
using dct::test::write_file;

namespace {

// A trust dir with two cached repositories: localhost:5000/team/app with tags in targets and
// targets/releases (and a delegation targets/qa), and docker.io/library/alpine.
struct CompletionFixture {
  TempDir tmp;
  dct::test::ScopedEnv notary_config{"NOTARY_CONFIG", (tmp / "no-notary-config.json").string()};
  std::filesystem::path trust = tmp / "trust";

  CompletionFixture() {
    const auto app = trust / "tuf" / "localhost:5000" / "team" / "app" / "metadata";
    // sha256 of "" in base64 and in hex, for the digest shown beside a tag.
    write_file(app / "targets.json",
               R"({"signed":{"_type":"Targets","targets":{
                   "v1":{"hashes":{"sha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},"length":1},
                   "bad tag":{"hashes":{},"length":1},
                   "old":{"hashes":{},"length":1}},
                  "delegations":{"keys":{},"roles":[{"name":"targets/releases"},
                                                     {"name":"targets/ops"},
                                                     {"name":"targets/x\nevil"}]}}})");
    write_file(app / "targets" / "releases.json",
               R"({"signed":{"targets":{"v1":{"hashes":{},"length":2},"v2":{"length":3}}}})");
    write_file(app / "targets" / "qa.json", R"({"signed":{"targets":{}}})");
    write_file(app / "root.json", "{}");
    write_file(trust / "tuf" / "docker.io" / "library" / "alpine" / "metadata" / "root.json",
               "not json");
    // Staged changes only, never published.
    write_file(trust / "tuf" / "localhost:5000" / "staged" / "changelist" / "1.change", "{}");
  }

  Completions complete(std::vector<std::string> args) const {
    return complete_command_line(args, tmp / "config");
  }
  // The command's path, then --trust-dir TRUST, then the rest.
  Completions complete_here(std::vector<std::string> path, std::vector<std::string> rest) const {
    path.push_back("--trust-dir");
    path.push_back(trust.string());
    path.insert(path.end(), rest.begin(), rest.end());
    return complete(path);
  }
};

std::vector<std::string> completion_values(const Completions& c) {
  std::vector<std::string> out;
  for (const auto& x : c.candidates) out.push_back(x.value);
  return out;
}

bool completion_has(const Completions& c, const std::string& value) {
  const auto v = completion_values(c);
  return std::find(v.begin(), v.end(), value) != v.end();
}

std::string completion_description(const Completions& c, const std::string& value) {
  for (const auto& x : c.candidates)
    if (x.value == value) return x.description;
  return "<absent>";
}

const Command& completion_command(const std::string& path) {
  for (const auto& c : all_commands())
    if (c.path == path) return c;
  FAIL("no command " << path);
  throw;
}

using CompletionWords = std::vector<std::string>;

}  // namespace

TEST_CASE("completion: the top level lists every command and group with its summary") {
  CompletionFixture f;
  const auto c = f.complete({""});
  CHECK(c.directive == kCompNoFileComp);
  for (const auto& cmd : all_commands()) {
    const std::string first = cmd.path.substr(0, cmd.path.find(' '));
    if (first.empty()) continue;
    CHECK_MESSAGE(completion_has(c, first), first);
    if (first == cmd.path) CHECK(completion_description(c, first) == cmd.summary);
  }
  CHECK(completion_description(c, "key") == "Manage signing keys");
  CHECK(completion_description(c, "bundle") == group_summary("bundle"));
  CHECK_FALSE(group_summary("bundle").empty());
  const auto v = completion_values(c);
  CHECK(std::is_sorted(v.begin(), v.end()));
  CHECK(std::adjacent_find(v.begin(), v.end()) == v.end());
  CHECK(completion_values(f.complete({"p"})) == CompletionWords{"pin", "publish", "pull", "push"});
  CHECK(completion_values(f.complete({"-D", "res"})) == CompletionWords{"resolve"});
}

TEST_CASE("completion: a group lists its commands, nested ones and aliases") {
  CompletionFixture f;
  const auto key = f.complete({"key", ""});
  CHECK(key.directive == kCompNoFileComp);
  for (const char* sub :
       {"generate", "import", "load", "list", "ls", "export", "passwd", "remove", "rm", "rotate"})
    CHECK_MESSAGE(completion_has(key, sub), sub);
  CHECK(completion_description(key, "ls") == completion_command("key list").summary);
  CHECK(completion_values(f.complete({"key", "l"})) == CompletionWords{"list", "load", "ls"});
  CHECK(completion_values(f.complete({"delegation", "r"})) == CompletionWords{"remove", "rm"});
  CHECK(completion_values(f.complete({"bundle", ""})) == CompletionWords{"diff", "save"});
  CHECK(completion_description(f.complete({"signer", ""}), "add") ==
        completion_command("signer add").summary);
  // `help` takes command names only.
  CHECK(completion_values(f.complete({"help", "key", "g"})) == CompletionWords{"generate"});
  CHECK(f.complete({"help", "resolve", ""}).candidates.empty());
}

TEST_CASE("completion: unknown commands and flags at the top offer nothing") {
  CompletionFixture f;
  for (const CompletionWords& words :
       {CompletionWords{"bogus", ""}, CompletionWords{"key", "bogus", ""},
        CompletionWords{"--bogus", ""}}) {
    const auto c = f.complete(words);
    CHECK(c.candidates.empty());
    CHECK(c.directive == kCompNoFileComp);
  }
  CHECK(completion_values(f.complete({"-"})) == CompletionWords{"--debug", "-D"});
}

TEST_CASE("completion: every flag of every command, with its description, once - is typed") {
  CompletionFixture f;
  for (const auto& cmd : all_commands()) {
    if (cmd.path.empty()) continue;
    CompletionWords words;
    for (size_t s = 0, e; s <= cmd.path.size(); s = e + 1) {
      e = cmd.path.find(' ', s);
      if (e == std::string::npos) e = cmd.path.size();
      words.push_back(cmd.path.substr(s, e - s));
    }
    words.push_back("-");
    const auto c = f.complete(words);
    CHECK(c.directive == kCompNoFileComp);
    CLI::App app;
    bool help = false;
    TrustOptions trust;
    declare_command(cmd, app, help, trust);
    for (const CLI::Option* opt : app.get_options()) {
      if (opt->get_positional() || opt->check_lname("help")) continue;
      for (const auto& l : opt->get_lnames()) {
        CHECK_MESSAGE(completion_has(c, "--" + l), cmd.path << " --" << l);
        CHECK(completion_description(c, "--" + l) ==
              opt->get_description().substr(0, opt->get_description().find('\n')));
      }
      for (const auto& s : opt->get_snames())
        CHECK_MESSAGE(completion_has(c, "-" + s), cmd.path << " -" << s);
    }
    CHECK_FALSE(completion_has(c, "--help"));
  }
}

TEST_CASE("completion: flag names filter by prefix, long only after --, given flags drop out") {
  CompletionFixture f;
  const auto longs = f.complete({"resolve", "--"});
  CHECK(completion_has(longs, "--format"));
  CHECK(completion_has(longs, "--server"));
  CHECK(std::none_of(longs.candidates.begin(), longs.candidates.end(),
                     [](const CompletionCandidate& x) { return x.value.rfind("--", 0) != 0; }));
  CHECK(completion_values(f.complete({"delegation", "add", "--p"})) ==
        CompletionWords{"--paths", "--publish"});
  CHECK(completion_values(f.complete({"revoke", "-"})).size() ==
        4);  // --server --trust-dir --yes -y
  CHECK_FALSE(completion_has(f.complete({"revoke", "-y", "-"}), "--yes"));
  CHECK_FALSE(completion_has(f.complete({"resolve", "--format", "json", "--"}), "--format"));
  CHECK_FALSE(completion_has(f.complete({"resolve", "--format=json", "--"}), "--format"));
  // Repeatable flags stay.
  CHECK(completion_has(f.complete({"sign", "--role", "targets", "--"}), "--role"));
  CHECK(completion_has(f.complete({"pin", "--build-arg", "A=1", "--b"}), "--build-arg"));
  // After "--" a dash word is an argument.
  CHECK(f.complete({"resolve", "--", "-"}).candidates.empty());
}

TEST_CASE("completion: files where a file is expected, directories where a directory is") {
  CompletionFixture f;
  const std::vector<CompletionWords> files = {
      {"migrate", "--key", ""},
      {"init", "--rootkey", ""},
      {"init", "--rootcert", "ca"},
      {"signer", "add", "--key", ""},
      {"pin", "-f", ""},
      {"pin", "--file", "Dock"},
      {"pin", "-o", ""},
      {"resolve", "--file", ""},
      {"resolve", "--bundle", ""},
      {"key", "import", ""},
      {"key", "load", ""},
      {"key", "import", "--cert", ""},
      {"key", "export", "-o", ""},
      {"bundle", "diff", ""},
      {"bundle", "diff", "old", ""},
      {"bundle", "save", "-o", ""},
      {"delegation", "add", "a/b", "targets/x", ""},
      {"delegation", "add", "a/b", "targets/x", "one.crt", ""},
      {"init", "--rootkey=ro"},
  };
  for (const auto& words : files) {
    const auto c = f.complete(words);
    CHECK_MESSAGE(c.directive == kCompDefault, words.front() << " " << words[1]);
    CHECK(c.candidates.empty());
  }
  for (const CompletionWords& words :
       {CompletionWords{"key", "generate", "--dir", ""}, CompletionWords{"pin", ""},
        CompletionWords{"resolve", "--trust-dir", ""}, CompletionWords{"build", ""},
        CompletionWords{"resolve", "--trust-dir=x"}}) {
    const auto c = f.complete(words);
    CHECK_MESSAGE(c.directive == kCompFilterDirs, words.front());
    CHECK(c.candidates.empty());
  }
}

TEST_CASE("completion: no file completion where neither a file nor anything known fits") {
  CompletionFixture f;
  for (const CompletionWords& words :
       {CompletionWords{"resolve", "--server", ""}, CompletionWords{"key", "generate", ""},
        CompletionWords{"key", "generate", "--days", ""}, CompletionWords{"check", "--within", ""},
        CompletionWords{"bundle", "diff", "a", "b", ""}, CompletionWords{"version", ""},
        CompletionWords{"status", "a/b", ""}}) {
    const auto c = f.complete(words);
    CHECK_MESSAGE(c.directive == kCompNoFileComp, words.front() << " " << words[1]);
    CHECK(c.candidates.empty());
  }
  // CompletionWords a flag's description quotes are its values.
  CHECK(completion_values(f.complete({"resolve", "--format", ""})) == CompletionWords{"json"});
  CHECK(completion_values(f.complete({"key", "list", "--format=j"})) == CompletionWords{"json"});
  CHECK(f.complete({"key", "list", "--format=x"}).candidates.empty());
}

TEST_CASE("completion: repositories of the trust cache where an image is expected") {
  CompletionFixture f;
  const auto c = f.complete_here({"status"}, {""});
  CHECK(c.directive == kCompNoFileComp);
  CHECK(completion_values(c) ==
        CompletionWords{"alpine", "localhost:5000/staged", "localhost:5000/team/app"});
  CHECK(completion_description(c, "alpine") == "repository in the trust cache");
  // The full name matches too; a name without tags takes no tag.
  CHECK(completion_values(f.complete_here({"status"}, {"docker.io/"})) ==
        CompletionWords{"docker.io/library/alpine"});
  CHECK(completion_values(f.complete_here({"status"}, {"localhost:5000/t"})) ==
        CompletionWords{"localhost:5000/team/app"});
  CHECK(completion_values(f.complete_here({"delegation", "list"}, {"al"})) ==
        CompletionWords{"alpine"});
  CHECK(completion_values(f.complete_here({"signer", "add"}, {"alice", "al"})) ==
        CompletionWords{"alpine"});
  CHECK(completion_values(f.complete_here({"key", "import"}, {"--gun", "al"})) ==
        CompletionWords{"alpine"});
  // From <config dir>/trust without --trust-dir.
  CHECK(f.complete({"status", ""}).candidates.empty());
  std::filesystem::create_directories(f.tmp / "config");
  std::filesystem::rename(f.trust, f.tmp / "config" / "trust");
  CHECK(completion_values(f.complete({"status", "al"})) == CompletionWords{"alpine"});
}

TEST_CASE("completion: tags from the cached targets where IMAGE[:TAG] is expected") {
  CompletionFixture f;
  const auto tagged = f.complete_here({"resolve"}, {"localhost:5000/team/app:"});
  CHECK(completion_values(tagged) == CompletionWords{"localhost:5000/team/app:old",
                                                     "localhost:5000/team/app:v1",
                                                     "localhost:5000/team/app:v2"});
  // targets/releases is read first, as the trust rule does.
  CHECK(completion_description(tagged, "localhost:5000/team/app:v1") ==
        "signed in targets/releases");
  CHECK(completion_description(tagged, "localhost:5000/team/app:old") == "signed in targets");
  CHECK(completion_values(f.complete_here({"pull"}, {"localhost:5000/team/app:v"})) ==
        CompletionWords{"localhost:5000/team/app:v1", "localhost:5000/team/app:v2"});
  // One repository left: the name and its tags, so the shell stops at the name.
  CHECK(completion_values(f.complete_here({"inspect"}, {"localhost:5000/te"})) ==
        CompletionWords{"localhost:5000/team/app", "localhost:5000/team/app:old",
                        "localhost:5000/team/app:v1", "localhost:5000/team/app:v2"});
  // A registry's port is not a tag.
  CHECK(completion_values(f.complete_here({"resolve"}, {"localhost:50"})).size() == 2);
  // Several repositories: names only.
  CHECK(completion_values(f.complete_here({"inspect"}, {"localhost"})).size() == 2);
  // A digest beside the tag, when the cached metadata has one.
  CompletionFixture g;
  std::filesystem::remove(g.trust / "tuf" / "localhost:5000" / "team" / "app" / "metadata" /
                          "targets" / "releases.json");
  CHECK(completion_description(g.complete_here({"resolve"}, {"localhost:5000/team/app:v1"}),
                               "localhost:5000/team/app:v1") ==
        "sha256:e3b0c44298fc signed in targets");
  // Run and create take an image first; docker's options are not known, so files stay possible.
  const auto run = f.complete_here({"run"}, {"--rm", "al"});
  CHECK(completion_values(run) == CompletionWords{"alpine"});
  CHECK(run.directive == kCompDefault);
  CHECK(f.complete_here({"create"}, {"-e", "A=1", "-it", "alp"}).candidates.size() == 1);
  // Build: a directory for the context, files after docker's -f, dct's own flags as declared.
  CHECK(f.complete({"build", "-t", "x:1", ""}).directive == kCompFilterDirs);
  CHECK(f.complete({"build", "-f", ""}).directive == kCompDefault);
  CHECK(f.complete({"build", "--pull", "--no-cache", ""}).directive == kCompDefault);
  CHECK(f.complete({"build", "-t=x:1", ""}).directive == kCompFilterDirs);
  CHECK(f.complete({"build", "--trust-dir", ""}).directive == kCompFilterDirs);
  CHECK(f.complete({"build", "--server", ""}).directive == kCompNoFileComp);
  CHECK(completion_has(f.complete({"build", "--"}), "--bundle"));
}

TEST_CASE("completion: role names for role arguments") {
  CompletionFixture f;
  CHECK(completion_values(f.complete_here({"key", "rotate"}, {"alpine", ""})) ==
        CompletionWords{"root", "snapshot", "targets", "timestamp"});
  const auto add = f.complete_here({"delegation", "add"}, {"localhost:5000/team/app", ""});
  CHECK(completion_values(add) == CompletionWords{"targets/ops", "targets/qa", "targets/releases"});
  CHECK(completion_description(add, "targets/qa") == "delegation of localhost:5000/team/app");
  // Without a cached repository, the delegation docker uses.
  CHECK(completion_values(f.complete_here({"delegation", "remove"}, {"a/b", ""})) ==
        CompletionWords{"targets/releases"});
  CHECK(completion_values(f.complete_here({"witness"}, {"localhost:5000/team/app", "targets/o"})) ==
        CompletionWords{"targets/ops"});
  // Naming no role: the roles one signs into.
  CHECK(completion_values(f.complete_here({"sign"}, {"--role", ""})) ==
        CompletionWords{"targets", "targets/releases"});
  CHECK(completion_description(add, "targets/releases") == "the delegation docker signs into");
}

TEST_CASE("completion: keys of the trust dir where a key ID or name is expected") {
  CompletionFixture f;
  dct::trust::KeyStore store(f.trust);
  dct::trust::FixedPassphrase passphrases("correct horse");
  const auto root = dct::trust::PrivateKey::generate();
  const auto alice = dct::trust::PrivateKey::generate();
  store.add(root, "root", "", passphrases);
  store.add(alice, "alice", "", passphrases);
  const auto c = f.complete_here({"key", "passwd"}, {""});
  CHECK(c.directive == kCompNoFileComp);
  CHECK(completion_has(c, root.id()));
  CHECK(completion_has(c, alice.id()));
  CHECK(completion_has(c, "alice"));
  CHECK_FALSE(completion_has(c, "root"));
  CHECK(completion_description(c, root.id()) == "root key");
  CHECK(completion_description(c, "alice") == "key name");
  CHECK(completion_values(f.complete_here({"key", "remove"}, {root.id().substr(0, 6)})) ==
        CompletionWords{root.id()});
  CHECK(
      completion_has(f.complete_here({"key", "rotate"}, {"a/b", "targets", "-k", ""}), alice.id()));
  CHECK(completion_has(f.complete_here({"delegation", "purge"}, {"al"}), "alice"));
}

TEST_CASE("completion: cobra's format; lines a cached file could break are dropped") {
  Completions c;
  c.candidates = {{"resolve", "Resolve a tag"},
                  {"plain", ""},
                  {"two\nlines", "x"},
                  {"tab\tbed", "x"},
                  {"spaced out", "x"},
                  {"ok", "bad\tdescription"},
                  {"", "empty"}};
  c.directive = kCompFilterDirs;
  CHECK(render_completions(c) == "resolve\tResolve a tag\nplain\nok\n:16\n");
  CompletionFixture f;
  const auto roles =
      f.complete_here({"delegation", "add"}, {"localhost:5000/team/app", "targets/x"});
  CHECK(render_completions(roles) == ":4\n");
  std::ostringstream out;
  print_completions({"key", "l"}, f.tmp / "config", out);
  CHECK(out.str() == "list\t" + completion_command("key list").summary + "\nload\t" +
                         completion_command("key load").summary + "\nls\t" +
                         completion_command("key list").summary + "\n:4\n");
}
