#pragma once
// Expiry timestamps as notary writes them: Go's RFC 3339 with optional nanoseconds.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dct::trust {

using TimePoint = std::chrono::system_clock::time_point;

// Parses "2026-01-02T15:04:05Z", "…05.123456789-05:00" and the like. nullopt when invalid.
// Times outside about 1824-2252 are clamped to those bounds (see clamp_unix_seconds).
std::optional<TimePoint> parse_rfc3339(std::string_view text);

// Seconds since 1970 limited to what a TimePoint holds with room for differences, and the
// TimePoint they name: certificate and metadata times may lie anywhere in years 0-9999.
long long clamp_unix_seconds(long long secs);
TimePoint from_unix_seconds(long long secs);
// Formats as Go's time.RFC3339Nano in UTC: trailing fractional zeros removed, "Z" zone.
std::string format_rfc3339_nano(TimePoint t);
// "2026-01-02 15:04:05 UTC" for messages.
std::string format_human(TimePoint t);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint t) : t_(t) {}
  TimePoint now() const override { return t_; }
  void set(TimePoint t) { t_ = t; }

 private:
  TimePoint t_;
};

}  // namespace dct::trust
