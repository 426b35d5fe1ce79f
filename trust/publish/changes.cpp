#include "trust/publish/changes.h"

#include <fmt/format.h>

#include "base/encoding.h"

namespace dct::trust {

Change target_added(const std::string& role, const std::string& tag, std::size_t length,
                    const std::string& sha256) {
  Change c;
  c.action = "create";
  c.role = role;
  c.type = "target";
  c.path = tag;
  // Go's field order for a target's FileMeta, with the one hash Docker records.
  c.data =
      fmt::format(R"({{"length":{},"hashes":{{"sha256":"{}"}}}})", length, base64_encode(sha256));
  return c;
}

Change target_removed(const std::string& role, const std::string& tag) {
  return Change{"delete", role, "target", tag, std::nullopt, ""};
}

Change delegation_change(const std::string& action, const std::string& role,
                         const std::optional<nlohmann::json>& data) {
  Change c;
  c.action = action;
  c.role = role;
  c.type = "delegation";
  c.path = "";
  if (data) c.data = data->dump();
  return c;
}

}  // namespace dct::trust
