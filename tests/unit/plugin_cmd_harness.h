#pragma once
// TEST ONLY. Runs a command as the program would (its flags parsed by its own CLI11 app, then
// its runner with a Context), against a notary server and registry in one in-process HTTPS
// server (TestServer). The server serves a repository's trust data by name and by checksum
// name, makes its timestamp key on first request and takes publishes as notary-server does:
// the uploaded files are stored as they are and a new timestamp is signed over the snapshot.
#include <doctest/doctest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/errors.h"
#include "plugin/command.h"
#include "registry_test_server.h"
#include "trust/crypto/signer.h"
#include "trust/formats/time.h"
#include "trust_fixture_server.h"
#include "trust_mini_repo.h"

namespace dct::test {

class FakeNotaryRegistry {
 public:
  FakeNotaryRegistry() : server_([this](const HttpRequest& r) { return handle(r); }) {}

  std::string host() const { return server_.host_port(); }
  int requests() const { return server_.requests(); }
  std::string gun(const std::string& path) const { return host() + "/" + path; }

  // A manifest the registry serves for path:tag (and by its digest).
  void add_manifest(const std::string& path, const std::string& tag, const std::string& body) {
    std::lock_guard<std::mutex> lock(mutex_);
    manifests_[path + ":" + tag] = body;
    manifests_[path + "@sha256:" + to_hex(sha256(body))] = body;
  }

  // Serves `repo`'s files as the trust data of its GUN, as the notary server would (its
  // timestamp key becomes the server's: `repo` must outlive this server).
  void serve(const MiniRepo& repo) {
    std::lock_guard<std::mutex> lock(mutex_);
    repo.serve(trust_);
    timestamp_version_ = repo.timestamp_version;
    timestamp_key_ = &repo.keys.at("timestamp");
  }

  // The files of each accepted publish, role -> bytes.
  std::vector<std::map<std::string, std::string>> publishes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return publishes_;
  }
  // The "signed" object of a role the server serves now.
  nlohmann::json served(const std::string& role) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return nlohmann::json::parse(trust_.get(role + ".json")).at("signed");
  }

 private:
  Reply handle(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string path = r.path();
    if (path == "/v2/") return Reply::json(200, "{}");
    const std::string tuf = "/_trust/tuf/";
    if (auto at = path.find(tuf); path.rfind("/v2/", 0) == 0 && at != std::string::npos) {
      const std::string name = path.substr(at + tuf.size());
      if (r.method == "POST" && name.empty()) return publish(r);
      if (name == "timestamp.key")
        return Reply::json(200, timestamp_key_->public_key().to_json().dump());
      if (name.size() > 4 && name.substr(name.size() - 4) == ".key")
        return Reply::json(404, R"({"errors":[{"code":"METADATA_NOT_FOUND"}]})");
      trust::FetchResult f = trust_.fetch({name, 1u << 26});
      if (f.ok()) return Reply::json(200, f.body);
      return Reply::json(404, R"({"errors":[{"code":"METADATA_NOT_FOUND"}]})");
    }
    const std::string manifests = "/manifests/";
    if (auto at = path.find(manifests); at != std::string::npos) {
      const std::string repo = path.substr(4, at - 4);
      const std::string ref = path.substr(at + manifests.size());
      auto it = manifests_.find(repo + (ref.rfind("sha256:", 0) == 0 ? "@" : ":") + ref);
      if (it == manifests_.end())
        return Reply::json(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})");
      Reply reply = Reply::json(200, it->second);
      reply.headers = {{"Content-Type", "application/vnd.oci.image.manifest.v1+json"},
                       {"Docker-Content-Digest", "sha256:" + to_hex(sha256(it->second))}};
      return reply;
    }
    return Reply::json(404, "{}");
  }

  Reply publish(const HttpRequest& r) {
    const std::string type = r.header("Content-Type").value_or("");
    const std::string boundary = "--" + type.substr(type.find("boundary=") + 9);
    std::map<std::string, std::string> files;
    for (std::size_t at = r.body.find(boundary); at != std::string::npos;) {
      const std::size_t next = r.body.find(boundary, at + boundary.size());
      if (next == std::string::npos) break;
      const std::string part = r.body.substr(at + boundary.size(), next - at - boundary.size());
      const std::size_t name_at = part.find("filename=\"") + 10;
      const std::string role = part.substr(name_at, part.find('"', name_at) - name_at);
      const std::size_t data_at = part.find("\r\n\r\n") + 4;
      files[role] = part.substr(data_at, part.size() - data_at - 2);
      at = next;
    }
    publishes_.push_back(files);
    for (const auto& [role, bytes] : files) {
      trust_.put(role + ".json", bytes);
      if (role == "root") {
        const auto version = nlohmann::json::parse(bytes)["signed"]["version"].get<long long>();
        trust_.put(std::to_string(version) + ".root.json", bytes);
      }
    }
    nlohmann::json timestamp = {
        {"_type", "Timestamp"},
        {"expires",
         trust::format_rfc3339_nano(std::chrono::system_clock::now() + std::chrono::hours(24))},
        {"meta", {{"snapshot", MiniRepo::file_meta(trust_.get("snapshot.json"))}}},
        {"version", ++timestamp_version_}};
    trust_.put("timestamp.json",
               trust::sign_metadata(timestamp, {{timestamp_key_->id(), timestamp_key_}}));
    return Reply::json(200, "{}");
  }

  mutable std::mutex mutex_;
  FixtureServer trust_;
  trust::PrivateKey own_timestamp_key_ = trust::PrivateKey::generate();
  const trust::PrivateKey* timestamp_key_ = &own_timestamp_key_;
  long long timestamp_version_ = 0;
  std::map<std::string, std::string> manifests_;
  std::vector<std::map<std::string, std::string>> publishes_;
  TestServer server_;  // last: stopped before what its handler uses goes away
};

// A Docker config dir that trusts the test server's CA, with no credentials, no notary config
// and the passphrases in the environment, as a non-interactive run would have them.
class CommandEnv {
 public:
  explicit CommandEnv(const FakeNotaryRegistry& server)
      : certs_env_("DCT_CERTS_D", certs_.str()),
        server_env_("DOCKER_CONTENT_TRUST_SERVER", std::nullopt),
        auth_env_("DOCKER_AUTH_CONFIG", std::nullopt),
        root_env_("DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE", "root passphrase"),
        repo_env_("DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE", "repository passphrase") {
    write_file(config_ / "config.json", "{}");
    write_file(config_ / "notary.json", "{}");
    std::ifstream in(TestPki::get().ca_cert);
    write_file(config_ / ("tls/" + server.host() + "/ca.crt"),
               std::string(std::istreambuf_iterator<char>(in), {}));
  }

  const std::filesystem::path& config_dir() const { return config_.path(); }
  std::filesystem::path trust_dir() const { return config_ / "trust"; }
  std::filesystem::path scratch() const { return scratch_.path(); }

 private:
  TempDir config_;
  TempDir certs_;
  TempDir scratch_;
  ScopedEnv certs_env_;
  ScopedEnv server_env_;
  ScopedEnv auth_env_;
  ScopedEnv root_env_;
  ScopedEnv repo_env_;
};

struct CommandResult {
  int status = -1;
  std::string out;
  std::string err;
  std::optional<ErrorCode> error;  // when the command failed with a dct::Error
  std::string message;             // its message
};

// Runs `docker dct <words...>`: the longest command path the words start with, then its flags.
inline CommandResult run_dct(const CommandEnv& env, std::vector<std::string> words) {
  const plugin::Command* cmd = nullptr;
  std::size_t consumed = 0;
  for (const auto& c : plugin::all_commands()) {
    std::string path;
    std::size_t n = 0;
    while (n < words.size() &&
           (path.empty() ? words[n] : path + " " + words[n]).size() <= c.path.size()) {
      path = path.empty() ? words[n] : path + " " + words[n];
      ++n;
      if (path == c.path && n > consumed) {
        cmd = &c;
        consumed = n;
      }
    }
  }
  REQUIRE_MESSAGE(cmd != nullptr, "no command for the words given");
  std::vector<std::string> args(words.begin() + static_cast<std::ptrdiff_t>(consumed), words.end());

  plugin::Context ctx;
  std::ostringstream out;
  std::ostringstream err;
  ctx.out = &out;
  ctx.err = &err;
  ctx.config_dir = env.config_dir();
  ctx.trust.docker_config_dir = env.config_dir();
  ctx.trust.notary_config = env.config_dir() / "notary.json";

  CLI::App app{cmd->summary, "docker dct " + cmd->path};
  app.allow_extras(false);
  app.positionals_at_end(false);
  if (cmd->trust_flags) plugin::add_trust_flags(app, ctx.trust);
  plugin::Runner run = cmd->setup(app);
  CommandResult result;
  try {
    if (cmd->raw_args) {
      ctx.args = args;
    } else {
      std::reverse(args.begin(), args.end());
      app.parse(args);
    }
    result.status = run(ctx);
  } catch (const Error& e) {
    result.status = 1;
    result.error = e.code();
    result.message = e.what();
  }
  result.out = out.str();
  result.err = err.str();
  return result;
}

// The private key files in a trust dir, by canonical key ID.
inline std::vector<std::string> private_key_ids(const std::filesystem::path& trust_dir) {
  std::vector<std::string> ids;
  const auto dir = trust_dir / "private";
  if (!std::filesystem::exists(dir)) return ids;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".key") ids.push_back(e.path().stem());
  std::sort(ids.begin(), ids.end());
  return ids;
}

// A MiniRepo for `gun`, its root certificate made for that name.
inline void set_gun(MiniRepo& repo, const std::string& gun) {
  repo.gun = gun;
  repo.root_cert =
      trust::root_certificate_key(repo.root_key, gun, repo.now - std::chrono::hours(1));
}

}  // namespace dct::test
