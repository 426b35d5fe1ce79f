#pragma once
// TEST ONLY. Runs docker-dct against a mutated repository served over HTTPS and judges the
// outcome: exit code, message, no digest printed, trusted cache byte-identical.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../unit/registry_test_server.h"
#include "mutator.h"

namespace dct::attack {

// How one served file misbehaves on the wire.
struct Fault {
  std::chrono::milliseconds delay{0};
  std::optional<std::size_t> truncate_to;  // send this many bytes, advertise all of them
  std::optional<std::size_t> grow_to;      // pad the body with spaces to this size
};

struct Case {
  std::string area;
  std::string name;
  std::string tag = "v1";
  std::function<void(Repo&)> seed;    // the state cached first (default: the baseline)
  std::function<void(Repo&)> attack;  // turns a copy of the baseline into the attack
  std::map<std::string, Fault> faults;
  std::vector<std::string> expect;  // any of these (lower case) must appear in the message
  enum class Kind { security, network, refused };
  Kind kind = Kind::security;       // how the failure must read (refused: any non-zero exit)
  bool expect_success = false;      // a recovery case: the tag must resolve
  bool sign_too = false;            // also run `dct sign` on the attacked state
  bool cold = false;                // first contact: nothing is cached before the attack
  int max_intermediate_roots = -1;  // when set: at most this many <N>.root.json fetched
  long max_rss_mib = 0;             // when set: dct's peak memory must stay below
  // DCT_HTTP_TIMEOUT for dct: generous, so a slow machine never turns an attack into a timeout;
  // the timeout cases lower it below the delay they stage.
  int http_timeout_s = 20;
};

struct Outcome {
  bool pass = true;
  std::string observed;
  std::vector<std::string> problems;
};

class Runner {
 public:
  struct Options {
    std::string dct_bin;
    std::filesystem::path work_dir;       // scratch space for case trust dirs
    std::filesystem::path keys_dir;       // private/ of the publishing trust dir (for sign)
    std::filesystem::path docker_config;  // copied, with our server's CA added
    std::string results_file;             // appended to when not empty
  };
  Runner(Options options, Repo baseline);

  Outcome run(const Case& c);

 private:
  struct Served {
    std::map<std::string, std::string> files;
    std::map<std::string, Fault> faults;
  };
  test::Reply serve(const test::HttpRequest& request);
  void publish(const Repo& repo, std::map<std::string, Fault> faults = {});
  struct Run {
    int rc = -1;
    std::string out, err;
    long max_rss_kib = 0;
    std::vector<std::string> requested;  // files asked for, in order
  };
  Run dct(const std::vector<std::string>& args);
  void judge(const Case& c, const std::string& what, const Run& r,
             const std::map<std::string, std::string>& before,
             const std::filesystem::path& trust_dir, Outcome& o);

  Options options_;
  Repo baseline_;
  std::mutex mutex_;
  Served served_;
  std::vector<std::string> requested_;
  std::unique_ptr<test::TestServer> server_;
  int counter_ = 0;
};

}  // namespace dct::attack
