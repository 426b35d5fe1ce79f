#pragma once
// Serves a captured notary-server state (tests/data/trust/<scenario>/<state>/) from memory, by
// current name and by checksum name, as the MetadataFetcher the verifier sees. Files can be
// replaced or removed to stage attacks; every request is counted.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "base/encoding.h"
#include "trust/formats/time.h"
#include "trust/tuf/remote.h"

namespace dct::test {

inline std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::filesystem::path trust_fixture(const std::string& scenario, const std::string& state) {
  return std::filesystem::path(DCT_TEST_DATA_DIR) / "trust" / scenario / state;
}

class FixtureServer final : public trust::MetadataFetcher {
 public:
  FixtureServer() = default;
  explicit FixtureServer(const std::filesystem::path& dir) { load(dir); }

  void load(const std::filesystem::path& dir) {
    files_.clear();
    gun = read_all(dir / "gun");
    while (!gun.empty() && (gun.back() == '\n' || gun.back() == '\r')) gun.pop_back();
    std::string at = read_all(dir / "captured-at");
    while (!at.empty() && (at.back() == '\n')) at.pop_back();
    captured_at = *trust::parse_rfc3339(at);
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".json") continue;
      std::string name = std::filesystem::relative(e.path(), dir).generic_string();
      put(name, read_all(e.path()));
    }
  }

  // Serves `bytes` under `name` ("targets.json") and under its checksum name.
  void put(const std::string& name, const std::string& bytes) {
    files_[name] = bytes;
    std::string role = name.substr(0, name.size() - 5);
    if (role.find('.') == std::string::npos)
      files_[role + "." + to_hex(sha256(bytes)) + ".json"] = bytes;
  }
  void remove(const std::string& name) { files_.erase(name); }
  std::string get(const std::string& name) const { return files_.at(name); }

  trust::FetchResult fetch(const trust::FetchRequest& r) override {
    ++requests;
    requested.push_back(r.name);
    trust::FetchResult out;
    if (offline) {
      out.status = trust::FetchResult::Status::network_error;
      out.error = "connection refused";
      return out;
    }
    auto it = files_.find(r.name);
    if (it == files_.end()) {
      out.status = trust::FetchResult::Status::not_found;
      out.http_status = 404;
      return out;
    }
    if (it->second.size() > r.max_size) {
      out.status = trust::FetchResult::Status::too_large;
      out.body = it->second.substr(0, r.max_size);
      return out;
    }
    out.status = trust::FetchResult::Status::ok;
    out.http_status = 200;
    out.body = it->second;
    return out;
  }

  std::string gun;
  trust::TimePoint captured_at;
  int requests = 0;
  std::vector<std::string> requested;
  bool offline = false;

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace dct::test
