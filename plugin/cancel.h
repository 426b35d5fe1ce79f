#pragma once
// Cancellation: SIGINT/SIGTERM, and EOF on the Docker CLI's plugin socket
// (DOCKER_CLI_PLUGIN_SOCKET), which is how docker tells a plugin to stop.
#include <optional>
#include <string>

namespace dct::plugin {

// Installs the signal handlers and, when `socket_name` is given, connects to docker's socket on
// a background thread. The first request cancels politely (cancelled() turns true and in-flight
// work stops at the next check); after a grace period, or on the third signal, the process
// exits with 130.
void start_cancellation(const std::optional<std::string>& socket_name, bool debug);
bool cancelled() noexcept;
// Throws dct::Error(cancelled) when cancellation was requested.
void throw_if_cancelled();

// Connects to a Unix socket: "@name" is an abstract socket, anything else a path. -1 on failure.
int connect_plugin_socket(const std::string& name);

}  // namespace dct::plugin
