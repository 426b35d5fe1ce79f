#include "plugin/check_output.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "plugin/expiry_notice.h"
#include "plugin/table.h"

namespace dct::plugin {
namespace {

constexpr std::size_t kTagsCellWidth = 24;

// "all (3)", "-", or the tags, cut to fit with a count of the rest.
std::string tags_cell(const std::vector<std::string>& tags, const std::vector<std::string>& all) {
  if (tags.empty()) return "-";
  if (tags == all) return fmt::format("all ({})", tags.size());
  std::string out;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    std::string next = (out.empty() ? "" : ", ") + tags[i];
    std::string rest = fmt::format(", +{} more", tags.size() - i);
    if (out.size() + next.size() > kTagsCellWidth && i > 0) return out + rest;
    out += next;
  }
  return out;
}

std::string minutes_utc(trust::TimePoint t) {
  return trust::format_human(t).substr(0, 16);  // "2026-01-02 15:04"
}

std::string problem_line(const trust::ExpiryItem& item, const CheckWindow& w) {
  if (!item.expires) return expiry_sentence(item, w.now);
  return fmt::format("{} ({})", expiry_sentence(item, w.now), renewal_hint(item));
}

nlohmann::ordered_json or_null(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(text);
}

}  // namespace

bool CheckOutcome::fails(trust::TimePoint now, std::chrono::seconds within) const {
  if (error || !report) return true;
  for (const auto& item : report->items)
    if (item.fails(now, within)) return true;
  return false;
}

nlohmann::ordered_json check_json(const std::vector<CheckOutcome>& outcomes, const CheckWindow& w) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& o : outcomes) {
    nlohmann::ordered_json repo;
    repo["name"] = o.name;
    repo["within_seconds"] = w.within.count();
    repo["ok"] = !o.fails(w.now, w.within);
    if (o.error)
      repo["error"] = {{"id", std::string(id_of(o.error->code()))}, {"message", o.error->what()}};
    else
      repo["error"] = nullptr;
    repo["trusted_tags"] = nlohmann::ordered_json::array();
    repo["expiries"] = nlohmann::ordered_json::array();
    repo["under_threshold"] = nlohmann::ordered_json::array();
    if (o.report) {
      repo["trusted_tags"] = o.report->trusted_tags;
      for (const auto& item : o.report->items) {
        nlohmann::ordered_json j;
        j["kind"] = item.kind;
        j["role"] = item.role;
        j["key_id"] = or_null(item.key_id);
        j["expires"] = or_null(item.expires ? trust::format_rfc3339_nano(*item.expires) : "");
        j["status"] = std::string(trust::status_name(item.status(w.now, w.within)));
        j["server_managed"] = item.server_managed;
        j["fails"] = item.fails(w.now, w.within);
        j["tags"] = item.tags;
        j["failure"] = or_null(item.failure);
        repo["expiries"].push_back(j);
      }
      for (const auto& u : o.report->under_threshold)
        repo["under_threshold"].push_back(
            {{"role", u.role}, {"threshold", u.threshold}, {"usable_keys", u.usable_keys}});
    }
    all.push_back(repo);
  }
  return all;
}

std::string check_table(const CheckOutcome& o, const CheckWindow& w) {
  std::string out = fmt::format("\nExpiry of the trust data for {}\n\n", o.name);
  if (!o.report) return out + fmt::format("  cannot be checked: {}\n", o.error->what());
  const auto& all = o.report->trusted_tags;
  std::vector<std::vector<std::string>> rows{{"ROLE", "KEY", "EXPIRES (UTC)", "STATUS", "TAGS"}};
  bool any_server = false;
  std::vector<std::string> problems;
  for (const auto& item : o.report->items) {
    std::string status(trust::status_name(item.status(w.now, w.within)));
    if (item.server_managed) {
      status += "*";
      any_server = true;
    }
    rows.push_back({item.role, item.key_id.empty() ? "-" : "cert " + item.key_id.substr(0, 7),
                    item.expires ? minutes_utc(*item.expires) : "-", status,
                    tags_cell(item.tags, all)});
    if (item.fails(w.now, w.within)) problems.push_back(problem_line(item, w));
  }
  out += render_table(rows, kDockerTable);
  if (any_server) out += "\n* renewed by the notary server on its own: shown, not counted.\n";
  if (!o.report->under_threshold.empty()) {
    out += "\nRoles that can no longer meet their threshold:\n";
    for (const auto& u : o.report->under_threshold)
      out += fmt::format("  {}: threshold {}, {} usable key{}\n", u.role, u.threshold,
                         u.usable_keys, u.usable_keys == 1 ? "" : "s");
  }
  if (problems.empty())
    out += fmt::format("\nNothing expires within {}.\n", w.within_text);
  else
    out += fmt::format("\nExpired or expiring within {}:\n  {}\n", w.within_text,
                       fmt::join(problems, "\n  "));
  return out;
}

}  // namespace dct::plugin
