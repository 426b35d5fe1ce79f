#include "plugin/publish_flow.h"

#include <fmt/format.h>

namespace dct::plugin {

namespace {

trust::PublishObserver lines_to(const Progress& progress) {
  return [&progress](const trust::PublishEvent& event) { progress(publish_event_line(event)); };
}

}  // namespace

std::string publish_event_line(const trust::PublishEvent& event) {
  using Kind = trust::PublishEvent::Kind;
  switch (event.kind) {
    case Kind::damaged_change:
      return fmt::format("WARNING: skipping a damaged change file: {}", event.detail);
    case Kind::warning:
      return "WARNING: " + event.detail;
    case Kind::pushing:
      return fmt::format("Pushing changes to {}", event.detail);
    case Kind::retrying:
      return fmt::format(
          "The trust data of {} changed on the server meanwhile; applying the changes again on "
          "top of it",
          event.detail);
  }
  return event.detail;
}

OpenedRepository open_for_edit(RepositoryClient& client, SigningKeys& keys,
                               const EditOptions& options) {
  client.remote().set_read_actions(registry::kPushPull);
  return client.publishing(keys).open_for_edit(options);
}

PublishReport publish_changes(RepositoryClient& client, SigningKeys& keys,
                              const EditOptions& options, const Progress& progress,
                              std::optional<OpenedRepository> opened,
                              const std::vector<std::string>& own_changes) {
  client.remote().set_read_actions(registry::kPushPull);
  return client.publishing(keys).publish_changes(options, lines_to(progress), std::move(opened),
                                                 own_changes);
}

PublishReport publish_edit(RepositoryClient& client, SigningKeys& keys, const EditOptions& options,
                           const std::function<void(trust::RepoEditor&)>& edit,
                           const Progress& progress) {
  client.remote().set_read_actions(registry::kPushPull);
  return client.publishing(keys).publish_edit(options, edit, lines_to(progress));
}

}  // namespace dct::plugin
