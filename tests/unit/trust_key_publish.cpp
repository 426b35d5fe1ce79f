// Publishing with the real notary client and server, using a root key, root certificate,
// delegation key and delegation certificate that we made; then verifying what notary signed
// with them. Needs notary, notary-server, notary-signer, openssl and curl (see tools.h); it
// starts its own notary-signer and notary-server on free loopback ports.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/encoding.h"
#include "temp_dir.h"
#include "tools.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/key_file.h"
#include "trust/formats/canonical_json.h"
#include "trust_data.h"

extern char** environ;

using namespace dct::trust;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using nlohmann::json;

using dct::test::TempDir;
using dct::test::write_file;

namespace {

// A port nothing listens on now, for the servers this test starts.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  REQUIRE(ok);
  return ntohs(addr.sin_port);
}

std::string sh(const std::string& command, int* status = nullptr) {
  std::string out;
  FILE* pipe = popen(("(" + command + ") 2>&1").c_str(), "r");
  REQUIRE(pipe);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int st = pclose(pipe);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

// A server process of ours, stopped (by its PID) when the test ends.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const fs::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Child() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

json signed_and_verified(const json& doc, const PublicKey& key) {
  const std::string canonical = canonical_json(doc["signed"]);
  int valid = 0;
  for (const auto& sig : doc["signatures"])
    if (sig["keyid"] == key.id() &&
        verify_signature(key, sig["method"].get<std::string>(), canonical,
                         *dct::base64_decode(sig["sig"].get<std::string>())))
      ++valid;
  CHECK(valid == 1);
  return doc["signed"];
}

}  // namespace

TEST_CASE("notary publishes with keys and certificates we made") {
  if (!dct::test::programs({"notary", "notary-server", "notary-signer", "openssl", "curl"})) return;
  TempDir d;
  const std::string signer_port = std::to_string(free_port());
  const std::string server_port = std::to_string(free_port());
  const std::string dir = d.str();
  int status = 0;
  sh("cd " + dir +
         " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key"
         " -out ca.crt -days 2 -subj /CN=ca && openssl req -newkey ec -pkeyopt"
         " ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.csr -subj /CN=localhost &&"
         " printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\n' >ext &&"
         " openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2"
         " -extfile ext -out tls.crt",
     &status);
  REQUIRE(status == 0);
  write_file(d / "signer.json",
             R"({"server":{"grpc_addr":"127.0.0.1:)" + signer_port + R"(","tls_cert_file":")" +
                 dir + R"(/tls.crt","tls_key_file":")" + dir + R"(/tls.key","client_ca_file":")" +
                 dir + R"(/ca.crt"},"logging":{"level":"error"},"storage":{"backend":"memory"}})");
  write_file(d / "server.json",
             R"({"server":{"http_addr":"127.0.0.1:)" + server_port + R"(","tls_cert_file":")" +
                 dir + R"(/tls.crt","tls_key_file":")" + dir +
                 R"(/tls.key"},"trust_service":{"type":"remote","hostname":"127.0.0.1","port":")" +
                 signer_port + R"(","key_algorithm":"ecdsa","tls_ca_file":")" + dir +
                 R"(/ca.crt","tls_client_cert":")" + dir + R"(/tls.crt","tls_client_key":")" + dir +
                 R"(/tls.key"},"storage":{"backend":"memory"},"logging":{"level":"error"}})");
  write_file(d / "client.json", R"({"trust_dir":")" + dir +
                                    R"(/trust","remote_server":{"url":"https://127.0.0.1:)" +
                                    server_port + R"(","root_ca":")" + dir + R"(/ca.crt"}})");
  const std::string health = "curl -sf --cacert " + dir +
                             "/ca.crt https://127.0.0.1:" + server_port + "/_notary_server/health";
  sh(health, &status);
  REQUIRE_MESSAGE(status != 0, "something already answers on 127.0.0.1:" << server_port);
  Child signer({"notary-signer", "-config", dir + "/signer.json"}, d / "signer.log");
  std::this_thread::sleep_for(1s);
  Child server({"notary-server", "-config", dir + "/server.json"}, d / "server.log");
  REQUIRE((signer.started() && server.started()));
  for (int i = 0; i < 50; ++i) {
    sh(health, &status);
    if (status == 0) break;
    std::this_thread::sleep_for(200ms);
  }
  REQUIRE(status == 0);

  const std::string gun = "example.com/dct/ours";
  const auto now = std::chrono::system_clock::now();
  const auto root = PrivateKey::generate();
  const auto root_cert = root_certificate_key(root, gun, now);
  write_file(d / "root.key", write_key_file(root, "root", "", "root pass").view());
  write_file(d / "root.crt", root_cert.public_bytes);
  const auto releaser =
      read_key_file(dct::test::read_data("keys/files/legacy-rsa-aes256.pem"), "key-pass");
  const auto releaser_cert =
      certificate_key(releaser, create_certificate(releaser, "releaser", now, now + 24h * 365));
  write_file(d / "releaser.key", write_key_file(releaser, "targets/releases", "", "").view());
  write_file(d / "releaser.crt", releaser_cert.public_bytes);
  write_file(d / "payload", "payload");

  const std::string notary =
      "cd " + dir +
      " && env 'NOTARY_ROOT_PASSPHRASE=root pass' NOTARY_TARGETS_PASSPHRASE=pw"
      " NOTARY_SNAPSHOT_PASSPHRASE=pw NOTARY_DELEGATION_PASSPHRASE=pw notary -c client.json ";
  for (const std::string& args : std::vector<std::string>{
           "init " + gun + " --rootkey root.key --rootcert root.crt", "key import releaser.key",
           "delegation add " + gun + " targets/releases releaser.crt --all-paths",
           "add " + gun + " v1 payload --roles targets/releases", "publish " + gun}) {
    CAPTURE(args);
    const std::string out = sh(notary + args, &status);
    CAPTURE(out);
    REQUIRE(status == 0);
  }

  auto fetch = [&](const std::string& role) {
    return json::parse(sh("curl -sf --cacert " + dir + "/ca.crt https://127.0.0.1:" + server_port +
                          "/v2/" + gun + "/_trust/tuf/" + role + ".json"));
  };
  // root.json carries our certificate as the root key and is signed with our root key.
  const json root_signed = signed_and_verified(fetch("root"), root_cert);
  CHECK(root_signed["roles"]["root"]["keyids"] == json::array({root_cert.id()}));
  CHECK(PublicKey::from_json(root_signed["keys"][root_cert.id()]) == root_cert);
  // The delegation is our certificate, and notary signed its targets with our RSA key.
  const json targets = fetch("targets");
  CHECK(PublicKey::from_json(targets["signed"]["delegations"]["keys"][releaser_cert.id()]) ==
        releaser_cert);
  const json releases = fetch("targets/releases");
  CHECK(releases["signatures"][0]["method"] == "rsapss");
  CHECK(signed_and_verified(releases, releaser_cert)["targets"].contains("v1"));
}
