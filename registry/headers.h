#pragma once
// HTTP header fields with case-insensitive names, in the order they were received or added.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dct::registry {

bool iequals(std::string_view a, std::string_view b) noexcept;  // ASCII case-insensitive
std::string to_lower(std::string_view s);                       // ASCII only

struct HeaderField {
  std::string name;
  std::string value;
};

class Headers {
 public:
  void add(std::string name, std::string value);
  void set(std::string name, std::string value);  // replaces every field of that name
  void remove(std::string_view name);
  bool has(std::string_view name) const;
  std::optional<std::string> get(std::string_view name) const;  // the first field of that name
  std::vector<std::string> get_all(std::string_view name) const;
  const std::vector<HeaderField>& fields() const noexcept { return fields_; }
  bool empty() const noexcept { return fields_.empty(); }
  void clear() noexcept { fields_.clear(); }

 private:
  std::vector<HeaderField> fields_;
};

}  // namespace dct::registry
