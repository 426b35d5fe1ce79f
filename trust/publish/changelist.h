#pragma once
// Staged changes in notary's changelist format, so that `notary publish` and `dct publish`
// each publish what the other staged: <trust_dir>/tuf/<gun>/changelist/<%020d unix
// nanos>_<uuid>.change, each a JSON object {"action","role","type","path","data"} with data the
// base64 of a JSON document, or null. Changes apply in file-name order.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/errors.h"

namespace dct::trust {

struct Change {
  std::string action;               // "create", "update", "delete"
  std::string role;                 // scope: "targets", "targets/releases", "targets/*", "root"
  std::string type;                 // "target", "delegation", "witness", "role"
  std::string path;                 // target name, or "" for delegations
  std::optional<std::string> data;  // decoded bytes of the JSON document
  std::string file;                 // the file name, once stored or loaded

  // Notary's byte layout (stdlib JSON in struct order, data base64 or null).
  std::string to_file_bytes() const;
  static Change from_file_bytes(const std::string& bytes, const std::string& file);
};

class Changelist {
 public:
  explicit Changelist(std::filesystem::path dir);
  static Changelist for_repository(const std::filesystem::path& trust_dir, const std::string& gun);

  // The staged changes in order. Unparsable files are skipped and reported in `skipped`.
  std::vector<Change> list(std::vector<std::string>* skipped = nullptr) const;
  // Stores a change atomically (0600 in a 0700 directory); returns its file name.
  std::string add(const Change& change);
  // Removes the given change files (by file name), or all when `files` is empty.
  void remove(const std::vector<std::string>& files = {});
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// A command that failed stages nothing: takes `own` (the change files it staged) back out of
// `changelist` and returns `failure` saying so, with how many changes staged earlier stay.
Error unstage_after_failure(Changelist& changelist, const std::vector<std::string>& own,
                            const Error& failure, const std::string& gun);

}  // namespace dct::trust
