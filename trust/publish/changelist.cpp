#include "trust/publish/changelist.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>

#include "base/encoding.h"
#include "base/errors.h"
#include "trust/tuf/cache.h"

namespace dct::trust {
namespace fs = std::filesystem;

namespace {

std::string uuid4() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw Error(ErrorCode::internal, "no randomness");
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string hex = to_hex(std::string_view(reinterpret_cast<char*>(b), sizeof b));
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

// Go's encoding/json string escaping (HTML-safe), as the Go client writes change files.
std::string go_string(const std::string& s) {
  nlohmann::json j = s;
  std::string out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string esc;
  for (char c : out) {
    if (c == '<')
      esc += "\\u003c";
    else if (c == '>')
      esc += "\\u003e";
    else if (c == '&')
      esc += "\\u0026";
    else
      esc.push_back(c);
  }
  return esc;
}

}  // namespace

std::string Change::to_file_bytes() const {
  return fmt::format(R"({{"action":{},"role":{},"type":{},"path":{},"data":{}}})",
                     go_string(action), go_string(role), go_string(type), go_string(path),
                     data ? "\"" + base64_encode(*data) + "\"" : std::string("null"));
}

Change Change::from_file_bytes(const std::string& bytes, const std::string& file) {
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  auto bad = [&](const char* what) {
    return Error(ErrorCode::config_invalid, fmt::format("change file {}: {}", file, what));
  };
  if (!j.is_object()) throw bad("not a JSON object");
  Change c;
  c.file = file;
  auto str = [&](const char* name) -> std::string {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_string()) throw bad("a member is not a string");
    return it->get<std::string>();
  };
  c.action = str("action");
  c.role = str("role");
  c.type = str("type");
  c.path = str("path");
  if (auto d = j.find("data"); d != j.end() && !d->is_null()) {
    if (!d->is_string()) throw bad("\"data\" is not base64");
    auto raw = base64_decode(d->get<std::string>());
    if (!raw) throw bad("\"data\" is not base64");
    c.data = std::move(*raw);
  }
  if (c.action != "create" && c.action != "update" && c.action != "delete")
    throw bad("unknown action");
  return c;
}

Changelist::Changelist(fs::path dir) : dir_(std::move(dir)) {}

Changelist Changelist::for_repository(const fs::path& trust_dir, const std::string& gun) {
  return Changelist(repository_dir(trust_dir, gun) / "changelist");
}

std::vector<Change> Changelist::list(std::vector<std::string>* skipped) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (!e.is_regular_file() || e.path().extension() != ".change") continue;
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<Change> out;
  for (const auto& name : names) {
    auto bytes = read_file_capped(dir_ / name, 16u << 20);
    try {
      if (!bytes) throw Error(ErrorCode::io_failure, "unreadable");
      out.push_back(Change::from_file_bytes(*bytes, name));
    } catch (const Error& e) {
      if (skipped) skipped->push_back(fmt::format("{}: {}", name, e.what()));
    }
  }
  return out;
}

std::string Changelist::add(const Change& change) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  std::string name = fmt::format("{:020d}_{}.change", nanos, uuid4());
  write_file_atomic(dir_ / name, change.to_file_bytes());
  return name;
}

void Changelist::remove(const std::vector<std::string>& files) {
  std::error_code ec;
  if (files.empty()) {
    for (const auto& e : fs::directory_iterator(dir_, ec))
      if (e.is_regular_file() && e.path().extension() == ".change") fs::remove(e.path(), ec);
    return;
  }
  for (const auto& f : files)
    if (f.find('/') == std::string::npos) fs::remove(dir_ / f, ec);
}

Error unstage_after_failure(Changelist& changelist, const std::vector<std::string>& own,
                            const Error& failure, const std::string& gun) {
  if (own.empty()) return failure;  // remove({}) would drop every staged change
  // The server may have taken the upload: the changes stay, and publishing them again is
  // harmless either way, where signing again would need the passphrase and the registry.
  if (failure.code() == ErrorCode::publish_outcome_unknown)
    return Error(failure.code(),
                 fmt::format("{}; the staged changes are kept (`docker dct status {}`)",
                             failure.what(), gun),
                 fmt::format("run `docker dct publish {}` once the server answers again", gun));
  changelist.remove(own);
  const std::size_t earlier = changelist.list().size();
  return Error(failure.code(),
               fmt::format("{}; nothing of this command stays staged{}", failure.what(),
                           earlier == 0 ? std::string()
                                        : fmt::format(" ({} change{} staged earlier {} kept: "
                                                      "`docker dct status {}`)",
                                                      earlier, earlier == 1 ? "" : "s",
                                                      earlier == 1 ? "is" : "are", gun)),
               failure.hint());
}

}  // namespace dct::trust
