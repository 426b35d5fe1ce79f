#include "runner.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

namespace dct::attack {
namespace fs = std::filesystem;

namespace {

// AddressSanitizer's shadow memory and quarantine raise every process's peak memory several
// times; a memory bound is scaled by this factor in such a build (the bounded walk still stays
// far below the unbounded one it guards against, which took about 550 MB before any sanitizer).
#if defined(__SANITIZE_ADDRESS__)
constexpr long kMemoryFactor = 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr long kMemoryFactor = 4;
#else
constexpr long kMemoryFactor = 1;
#endif
#else
constexpr long kMemoryFactor = 1;
#endif

constexpr std::string_view kSecurityBanner = "failed verification and may be the sign of an attack";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Every file below <trust_dir>/tuf, by relative path, but for the repository lock file (it is
// not trust data: a command that stages or publishes creates it).
std::map<std::string, std::string> cache_of(const fs::path& trust_dir) {
  std::map<std::string, std::string> out;
  fs::path tuf = trust_dir / "tuf";
  if (!fs::exists(tuf)) return out;
  for (const auto& e : fs::recursive_directory_iterator(tuf))
    if (e.is_regular_file() && e.path().filename() != "dct.lock")
      out[fs::relative(e.path(), tuf).generic_string()] = read_all(e.path());
  return out;
}

// The line that says what went wrong: the first one after the security banner, if any. A
// refused tag's message is followed by why, when a role was skipped ("... is not usable: ...").
std::string message_of(const std::string& err) {
  std::istringstream in(err);
  std::vector<std::string> lines;
  std::size_t pick = std::string::npos;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.starts_with("Warning") || line.starts_with("DEBUG")) continue;
    if (line.find(kSecurityBanner) != std::string::npos) {
      pick = lines.size();
      continue;
    }
    lines.push_back(line);
  }
  if (lines.empty()) return "";
  if (pick >= lines.size()) pick = 0;
  std::string msg = lines[pick];
  constexpr std::string_view kWhy = " is not usable: ";
  if (msg.starts_with("no trust data for") && pick + 1 < lines.size())
    if (auto at = lines[pick + 1].find(kWhy); at != std::string::npos)
      msg += " (" + lines[pick + 1].substr(at + kWhy.size()) + ")";
  return msg;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

std::string shorten(std::string s, std::size_t n) {
  if (s.size() > n) s = s.substr(0, n) + "...";
  for (char& c : s)
    if (c == '\t' || c == '"') c = '\'';
  return s;
}

// A message for the results table, at most 120 characters: the repository's long name as GUN,
// the test server's address as SERVER, and its trust data paths as the file names alone.
std::string brief(std::string msg, const std::string& gun, const std::string& server) {
  replace_all(msg, "/v2/" + gun + "/_trust/tuf", "");
  replace_all(msg, gun, "GUN");
  replace_all(msg, server, "SERVER");
  return shorten(std::move(msg), 120);
}

}  // namespace

Runner::Runner(Options options, Repo baseline)
    : options_(std::move(options)), baseline_(std::move(baseline)) {
  server_ =
      std::make_unique<test::TestServer>([this](const test::HttpRequest& r) { return serve(r); });
  fs::create_directories(options_.work_dir / "home");
  fs::path dc = options_.work_dir / "docker-config";
  fs::create_directories(dc);
  if (!options_.docker_config.empty())
    fs::copy(options_.docker_config, dc,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::path tls = dc / "tls" / server_->host_port();
  fs::create_directories(tls);
  fs::copy_file(test::TestPki::get().ca_cert, tls / "ca.crt", fs::copy_options::overwrite_existing);
  setenv("HOME", (options_.work_dir / "home").c_str(), 1);
  setenv("DOCKER_CONFIG", dc.c_str(), 1);
  unsetenv("DOCKER_CONTENT_TRUST_SERVER");
}

test::Reply Runner::serve(const test::HttpRequest& request) {
  std::string prefix = "/v2/" + baseline_.gun + "/_trust/tuf/";
  std::string path = request.path();
  if (request.method != "GET" || !path.starts_with(prefix))
    return test::Reply::json(404, R"({"errors":[{"code":"NOT_FOUND"}]})");
  std::string name = path.substr(prefix.size());
  std::lock_guard lock(mutex_);
  requested_.push_back(name);
  auto it = served_.files.find(name);
  if (it == served_.files.end())
    return test::Reply::json(404, R"({"errors":[{"code":"METADATA_NOT_FOUND"}]})");
  test::Reply reply = test::Reply::json(200, it->second);
  if (auto f = served_.faults.find(name); f != served_.faults.end()) {
    reply.delay = f->second.delay;
    if (f->second.grow_to && *f->second.grow_to > reply.body.size())
      reply.body.append(*f->second.grow_to - reply.body.size(), ' ');
    if (f->second.truncate_to) {
      reply.content_length = reply.body.size();
      reply.body.resize(*f->second.truncate_to);
      reply.close = true;
    }
  }
  return reply;
}

void Runner::publish(const Repo& repo, std::map<std::string, Fault> faults) {
  std::lock_guard lock(mutex_);
  served_.files = repo.files();
  served_.faults = std::move(faults);
}

Runner::Run Runner::dct(const std::vector<std::string>& args) {
  fs::path out = options_.work_dir / "stdout", err = options_.work_dir / "stderr";
  {
    std::lock_guard lock(mutex_);
    requested_.clear();
  }
  pid_t pid = fork();
  if (pid == 0) {
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int n = open("/dev/null", O_RDONLY);
    dup2(n, 0);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(options_.dct_bin.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  Run r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.max_rss_kib = usage.ru_maxrss;
  {
    std::lock_guard lock(mutex_);
    r.requested = requested_;
  }
  r.out = read_all(out);
  r.err = read_all(err);
  return r;
}

void Runner::judge(const Case& c, const std::string& what, const Run& r,
                   const std::map<std::string, std::string>& before, const fs::path& trust_dir,
                   Outcome& o) {
  std::string msg = message_of(r.err);
  auto after = cache_of(trust_dir);
  bool unchanged = after == before;
  bool security = r.err.find(kSecurityBanner) != std::string::npos;
  auto problem = [&](std::string p) {
    o.pass = false;
    o.problems.push_back(what + ": " + p);
  };
  if (!o.observed.empty()) o.observed += "; ";
  int roots = 0;  // intermediate roots asked for
  for (const auto& name : r.requested)
    if (name.ends_with(".root.json") && name.find('.') != std::string::npos &&
        std::isdigit(static_cast<unsigned char>(name.front())))
      ++roots;
  if (c.max_intermediate_roots >= 0 && roots > c.max_intermediate_roots)
    problem(std::to_string(roots) + " intermediate roots fetched, more than " +
            std::to_string(c.max_intermediate_roots));
  const long max_rss_mib = c.max_rss_mib * kMemoryFactor;
  if (max_rss_mib && r.max_rss_kib > max_rss_mib * 1024)
    problem("peak memory " + std::to_string(r.max_rss_kib / 1024) + " MiB, more than " +
            std::to_string(max_rss_mib));
  if (c.expect_success) {
    if (r.rc != 0) problem("expected success, exit " + std::to_string(r.rc) + ": " + msg);
    if (r.out.find("sha256:") == std::string::npos) problem("no digest printed");
    o.observed += what + " exit " + std::to_string(r.rc) + ", " +
                  (r.out.find("sha256:") != std::string::npos
                       ? "digest printed"
                       : "\"" + brief(msg, baseline_.gun, server_->url()) + "\"");
    return;
  }
  if (r.rc == 0) problem("exit 0: the attack was accepted");
  if (r.out.find("sha256:") != std::string::npos) problem("a digest was printed");
  if (!unchanged) {
    std::string changed;
    for (const auto& [name, bytes] : after)
      if (!before.count(name) || before.at(name) != bytes) changed += " " + name;
    for (const auto& [name, bytes] : before)
      if (!after.count(name)) changed += " -" + name;
    problem("the trusted cache changed:" + changed);
  }
  if (c.kind == Case::Kind::network && security)
    problem("a network fault reported as a security failure");
  if (c.kind == Case::Kind::security && !security) problem("not reported as a security failure");
  std::string m = lower(r.err);
  if (!c.expect.empty() && std::none_of(c.expect.begin(), c.expect.end(), [&](const auto& e) {
        return m.find(e) != std::string::npos;
      }))
    problem("message does not name the problem: " + msg);
  o.observed += what + " exit " + std::to_string(r.rc) + ", \"" +
                brief(msg, baseline_.gun, server_->url()) + "\", cache " +
                (unchanged ? "unchanged" : "CHANGED");
  if (c.max_rss_mib) o.observed += ", peak memory " + std::to_string(r.max_rss_kib / 1024) + " MiB";
  if (c.max_intermediate_roots >= 0)
    o.observed +=
        ", " + std::to_string(roots) + " intermediate root" + (roots == 1 ? "" : "s") + " fetched";
}

Outcome Runner::run(const Case& c) {
  Outcome o;
  fs::path dir = options_.work_dir / ("case" + std::to_string(++counter_));
  fs::path trust_dir = dir / "trust";
  fs::create_directories(trust_dir);
  if (c.sign_too && !options_.keys_dir.empty())
    fs::copy(options_.keys_dir, trust_dir / "private", fs::copy_options::recursive);
  std::string ref = baseline_.gun + ":" + c.tag;
  setenv("DCT_HTTP_TIMEOUT", std::to_string(c.http_timeout_s).c_str(), 1);
  std::vector<std::string> seed_resolve{"resolve",      baseline_.gun + ":v2", "--server",
                                        server_->url(), "--trust-dir",         trust_dir.string()};
  std::vector<std::string> resolve{"resolve",      ref,           "--server",
                                   server_->url(), "--trust-dir", trust_dir.string()};
  try {
    Repo seed = baseline_;
    if (c.seed) c.seed(seed);
    publish(seed);
    Run s;
    if (!c.cold) s = dct(seed_resolve);
    if (!c.cold && (s.rc != 0 || s.out.find("sha256:") == std::string::npos)) {
      o.pass = false;
      o.observed = "seeding the cache failed: exit " + std::to_string(s.rc) + ", \"" +
                   brief(message_of(s.err), baseline_.gun, server_->url()) + "\"";
      o.problems.push_back(o.observed);
    } else {
      auto before = cache_of(trust_dir);
      Repo attacked = baseline_;
      if (c.attack) c.attack(attacked);
      publish(attacked, c.faults);
      judge(c, "resolve", dct(resolve), before, trust_dir, o);
      if (c.sign_too) {
        std::vector<std::string> sign{"sign",         ref,           "--server",
                                      server_->url(), "--trust-dir", trust_dir.string()};
        judge(c, "sign", dct(sign), before, trust_dir, o);
      }
    }
  } catch (const std::exception& e) {
    o.pass = false;
    o.observed = std::string("could not stage the attack: ") + e.what();
    o.problems.push_back(o.observed);
  }
  std::cout << (o.pass ? "PASS " : "FAIL ") << c.area << " / " << c.name << ": " << o.observed
            << "\n";
  for (const auto& p : o.problems) std::cout << "    " << p << "\n";
  if (!options_.results_file.empty()) {
    std::ofstream res(options_.results_file, std::ios::app);
    res << c.area << '\t' << c.name << '\t' << o.observed << '\t' << (o.pass ? "PASS" : "FAIL")
        << '\n';
  }
  fs::remove_all(dir);
  return o;
}

}  // namespace dct::attack
