// Passphrases for the command line: environment variables first (Docker's, then notary's),
// then the terminal, with notary's prompts, checks and per-role cache. No real terminal here.
#include <doctest/doctest.h>

#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include "env_of.h"
#include "error_code_of.h"
#include "plugin/passphrase_prompt.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/key_store.h"

using namespace dct::plugin;
using dct::ErrorCode;
using dct::test::code_of;
using dct::test::env_of;
using dct::trust::PassphraseRequest;
using dct::trust::Secret;

namespace {

const std::string kId = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d1a2b";

// What the fake terminal was told and will answer; shared with the test.
struct Screen {
  std::deque<std::optional<std::string>> typed;  // nullopt = end of input
  std::string shown;
  int opens = 0;
  int reads = 0;
};

class FakeTerminal final : public Terminal {
 public:
  explicit FakeTerminal(std::shared_ptr<Screen> screen) : screen_(std::move(screen)) {}
  void write(std::string_view text) override { screen_->shown += text; }
  std::optional<Secret> read_hidden() override {
    ++screen_->reads;
    REQUIRE_FALSE(screen_->typed.empty());
    auto line = std::move(screen_->typed.front());
    screen_->typed.pop_front();
    if (!line) return std::nullopt;
    return Secret(std::move(*line));
  }

 private:
  std::shared_ptr<Screen> screen_;
};

PassphrasePrompt::TerminalOpener opener(const std::shared_ptr<Screen>& screen) {
  return [screen]() -> std::unique_ptr<Terminal> {
    ++screen->opens;
    return std::make_unique<FakeTerminal>(screen);
  };
}

PassphrasePrompt::TerminalOpener no_terminal() {
  return [] { return std::unique_ptr<Terminal>(); };
}

PassphraseRequest request(std::string role, bool create_new = false, int attempt = 0,
                          std::string id = kId) {
  return {std::move(id), std::move(role), "example.com/app", create_new, attempt};
}

std::string message_of(auto&& fn) {
  try {
    fn();
  } catch (const dct::Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("the variables for each role, in order") {
  using V = std::vector<std::string>;
  CHECK(passphrase_variables("root") ==
        V{"DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE", "NOTARY_ROOT_PASSPHRASE"});
  CHECK(passphrase_variables("targets") ==
        V{"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE", "NOTARY_TARGETS_PASSPHRASE"});
  CHECK(passphrase_variables("snapshot") ==
        V{"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE", "NOTARY_SNAPSHOT_PASSPHRASE"});
  CHECK(passphrase_variables("timestamp") == V{"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE"});
  for (const char* role : {"targets/releases", "user", "delegation", "targets/a/b"})
    CHECK(passphrase_variables(role) ==
          V{"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE", "NOTARY_DELEGATION_PASSPHRASE"});
  CHECK(passphrase_display_role("targets") == "repository");
  CHECK(passphrase_display_role("snapshot") == "repository");
  CHECK(passphrase_display_role("root") == "root");
  CHECK(passphrase_display_role("targets/releases") == "targets/releases");
}

TEST_CASE("environment variables: Docker's first, empty ones unset, no terminal opened") {
  auto screen = std::make_shared<Screen>();
  SUBCASE("root") {
    PassphrasePrompt both(env_of({{"DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE", "docker-root"},
                                  {"NOTARY_ROOT_PASSPHRASE", "notary-root"},
                                  {"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE", "repo"}}),
                          opener(screen));
    CHECK(both.get(request("root")).str() == "docker-root");
    CHECK(both.get(request("root", true)).str() == "docker-root");
    PassphrasePrompt notary(env_of({{"DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE", ""},
                                    {"NOTARY_ROOT_PASSPHRASE", "notary-root"},
                                    {"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE", "repo"}}),
                            opener(screen));
    CHECK(notary.get(request("root")).str() == "notary-root");
  }
  SUBCASE("repository keys") {
    PassphrasePrompt docker(env_of({{"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE", "repo"},
                                    {"NOTARY_TARGETS_PASSPHRASE", "t"},
                                    {"NOTARY_DELEGATION_PASSPHRASE", "d"}}),
                            opener(screen));
    for (const char* role : {"targets", "snapshot", "timestamp", "targets/releases", "user"})
      CHECK(docker.get(request(role)).str() == "repo");
    PassphrasePrompt notary(env_of({{"NOTARY_TARGETS_PASSPHRASE", "t"},
                                    {"NOTARY_SNAPSHOT_PASSPHRASE", "s"},
                                    {"NOTARY_DELEGATION_PASSPHRASE", "d"},
                                    {"NOTARY_ROOT_PASSPHRASE", "r"}}),
                            opener(screen));
    CHECK(notary.get(request("targets")).str() == "t");
    CHECK(notary.get(request("snapshot")).str() == "s");
    CHECK(notary.get(request("targets/releases")).str() == "d");
    CHECK(notary.get(request("user")).str() == "d");
    CHECK(notary.get(request("delegation")).str() == "d");
    // New keys take the variable as it is: no length rule, no confirmation.
    PassphrasePrompt short_one(env_of({{"NOTARY_TARGETS_PASSPHRASE", "abc"}}), opener(screen));
    CHECK(short_one.get(request("targets", true)).str() == "abc");
  }
  CHECK(screen->opens == 0);
  CHECK(screen->shown.empty());
}

TEST_CASE("a wrong variable is not followed by a prompt; the error names it and the key") {
  auto screen = std::make_shared<Screen>();
  PassphrasePrompt prompt(env_of({{"NOTARY_TARGETS_PASSPHRASE", "s3cret-value"}}), opener(screen));
  CHECK(prompt.get(request("targets")).str() == "s3cret-value");
  CHECK(code_of([&] { prompt.get(request("targets", false, 1)); }) ==
        ErrorCode::passphrase_incorrect);
  const std::string message = message_of([&] { prompt.get(request("targets", false, 1)); });
  CHECK(message.find("NOTARY_TARGETS_PASSPHRASE") != std::string::npos);
  CHECK(message.find("targets key " + kId) != std::string::npos);
  CHECK(message.find("s3cret-value") == std::string::npos);
  CHECK(screen->opens == 0);
}

TEST_CASE("no variable and no terminal: an error saying what to set") {
  PassphrasePrompt prompt(env_of({}), no_terminal());
  CHECK(code_of([&] { prompt.get(request("targets")); }) == ErrorCode::passphrase_required);
  CHECK(dct::id_of(ErrorCode::passphrase_required) == "dct.auth.505");
  const std::string targets = message_of([&] { prompt.get(request("targets")); });
  CHECK(targets.find("targets key " + kId) != std::string::npos);
  CHECK(targets.find("no terminal") != std::string::npos);
  CHECK(targets.find("set DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE") != std::string::npos);
  const std::string root = message_of([&] { prompt.get(request("root", true)); });
  CHECK(root.find("new root key " + kId) != std::string::npos);
  CHECK(root.find("set DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE") != std::string::npos);
  try {
    prompt.get(request("snapshot"));
  } catch (const dct::Error& e) {
    CHECK(e.hint().find("NOTARY_SNAPSHOT_PASSPHRASE") != std::string::npos);
  }
}

TEST_CASE("existing keys: notary's prompt, a retry notice, whitespace trimmed") {
  auto screen = std::make_shared<Screen>();
  screen->typed = {"  first try \n", "second"};
  PassphrasePrompt prompt(env_of({}), opener(screen));
  CHECK(prompt.get(request("targets")).str() == "first try");
  CHECK(screen->shown == "Enter passphrase for repository key with ID 1a2b3c4: ");
  screen->shown.clear();
  CHECK(prompt.get(request("targets", false, 1)).str() == "second");
  CHECK(screen->shown ==
        "Passphrase incorrect. Please retry.\n"
        "Enter passphrase for repository key with ID 1a2b3c4: ");
  CHECK(screen->opens == 1);
  CHECK(code_of([&] { prompt.get(request("targets", false, 3)); }) ==
        ErrorCode::passphrase_incorrect);
}

TEST_CASE("typed passphrases are cached per role for the process") {
  auto screen = std::make_shared<Screen>();
  screen->typed = {"repository pass", "root pass", "releases pass", "fixed pass"};
  PassphrasePrompt prompt(env_of({}), opener(screen));
  CHECK(prompt.get(request("targets")).str() == "repository pass");
  // snapshot shares the "repository" passphrase, like Docker's prompts.
  CHECK(prompt.get(request("snapshot", false, 0, "ffff")).str() == "repository pass");
  CHECK(screen->reads == 1);
  CHECK(prompt.get(request("root")).str() == "root pass");
  CHECK(prompt.get(request("targets/releases")).str() == "releases pass");
  CHECK(prompt.get(request("root")).str() == "root pass");
  CHECK(screen->reads == 3);
  // A retry drops the cached value and asks; the new answer is cached.
  CHECK(prompt.get(request("targets", false, 1)).str() == "fixed pass");
  CHECK(prompt.get(request("targets")).str() == "fixed pass");
  CHECK(screen->reads == 4);
  CHECK(screen->opens == 1);
}

TEST_CASE("new keys: at least 8 characters, typed twice alike, three tries") {
  auto screen = std::make_shared<Screen>();
  SUBCASE("too short, then a mismatch, then good") {
    screen->typed = {"short", "long enough 1", "long enough 2", "  long enough  ", "long enough"};
    PassphrasePrompt prompt(env_of({}), opener(screen));
    CHECK(prompt.get(request("targets", true)).str() == "long enough");
    CHECK(screen->reads == 5);
    const std::string& s = screen->shown;
    CHECK(s.find("Enter passphrase for new repository key with ID 1a2b3c4: ") == 0);
    CHECK(s.find("Repeat passphrase for new repository key with ID 1a2b3c4: ") !=
          std::string::npos);
    CHECK(s.find("too short") != std::string::npos);
    CHECK(s.find("do not match") != std::string::npos);
    CHECK(s.find("long enough") == std::string::npos);  // never echoed
    CHECK(s.find("root key") == std::string::npos);     // no root warning
    // Cached: the snapshot key made next gets the same passphrase without a question.
    CHECK(prompt.get(request("snapshot", true, 0, "eeee")).str() == "long enough");
    CHECK(screen->reads == 5);
  }
  SUBCASE("whitespace does not count") {
    screen->typed = {"   1234567   ", "12345678", "12345678"};
    PassphrasePrompt prompt(env_of({}), opener(screen));
    CHECK(prompt.get(request("targets/releases", true)).str() == "12345678");
    CHECK(screen->shown.find("new targets/releases key with ID 1a2b3c4") != std::string::npos);
  }
  SUBCASE("three failures give up") {
    screen->typed = {"short", "long enough 1", "long enough 2", "tiny"};
    PassphrasePrompt prompt(env_of({}), opener(screen));
    std::string message;
    try {
      prompt.get(request("targets", true));
      FAIL("no error");
    } catch (const dct::Error& e) {
      CHECK(e.code() == ErrorCode::passphrase_required);
      message = e.what();
    }
    CHECK(message.find("new targets key " + kId) != std::string::npos);
    CHECK(message.find("long enough") == std::string::npos);
    CHECK(screen->reads == 4);
  }
  SUBCASE("a new root key comes with a warning first") {
    screen->typed = {"root passphrase", "root passphrase"};
    PassphrasePrompt prompt(env_of({}), opener(screen));
    CHECK(prompt.get(request("root", true)).str() == "root passphrase");
    const auto warning = screen->shown.find("root key");
    const auto enter = screen->shown.find("Enter passphrase for new root key with ID 1a2b3c4: ");
    REQUIRE(warning != std::string::npos);
    REQUIRE(enter != std::string::npos);
    CHECK(warning < enter);
  }
}

TEST_CASE("end of input at a prompt cancels") {
  auto screen = std::make_shared<Screen>();
  screen->typed = {std::nullopt, std::nullopt};
  PassphrasePrompt prompt(env_of({}), opener(screen));
  CHECK(code_of([&] { prompt.get(request("targets")); }) == ErrorCode::cancelled);
  CHECK(code_of([&] { prompt.get(request("root", true)); }) == ErrorCode::cancelled);
}

TEST_CASE("with the key store: a wrong variable ends loading with the variable's name") {
  namespace fs = std::filesystem;
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("dct-pp-" + std::to_string(rd()));
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  const auto key = dct::trust::PrivateKey::generate();
  {
    dct::trust::KeyStore store(dir);
    PassphrasePrompt make(env_of({{"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE", "right one"}}),
                          no_terminal());
    store.add(key, "targets", "example.com/app", make);
  }
  dct::trust::KeyStore store(dir);
  PassphrasePrompt wrong(env_of({{"DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE", "wrong one"}}),
                         no_terminal());
  const std::string message = message_of([&] { store.load(key.id(), wrong); });
  CHECK(message.find("DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE") != std::string::npos);
  CHECK(message.find(key.id()) != std::string::npos);
  CHECK(message.find("wrong one") == std::string::npos);
  PassphrasePrompt right(env_of({{"NOTARY_TARGETS_PASSPHRASE", "right one"}}), no_terminal());
  CHECK(store.load(key.id(), right).id() == key.id());
}
