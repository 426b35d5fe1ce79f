#pragma once
// What `docker dct check` prints: a table per repository for people, JSON for pipelines.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/errors.h"
#include "trust/tuf/expiry.h"

namespace dct::plugin {

struct CheckOutcome {
  std::string name;  // the repository (GUN)
  std::optional<trust::ExpiryReport> report;
  std::optional<Error> error;  // the trust data could not be read or verified
  std::vector<std::string> warnings;

  bool fails(trust::TimePoint now, std::chrono::seconds within) const;
};

struct CheckWindow {
  trust::TimePoint now;
  std::chrono::seconds within;
  std::string within_text;  // as typed, for messages
};

nlohmann::ordered_json check_json(const std::vector<CheckOutcome>& outcomes,
                                  const CheckWindow& window);
std::string check_table(const CheckOutcome& outcome, const CheckWindow& window);

}  // namespace dct::plugin
