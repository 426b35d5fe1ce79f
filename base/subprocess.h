#pragma once
// Running other programs (searched on PATH): the one place that spawns and reaps children.
// `Process` starts one with chosen stdin/stdout; `run_process` runs one to completion with a
// small stdin, collects its stdout and kills it when it runs past a deadline (credential
// helpers). The Docker CLI the plugin drives is run through `Process` as well.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dct::registry {

// A started child process. Dropped while it still runs, it is killed (SIGKILL) and reaped.
class Process {
 public:
  Process() = default;
  ~Process();
  Process(Process&& o) noexcept;
  Process& operator=(Process&& o) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Starts argv[0] with `stdin_fd` / `stdout_fd` as its stdin and stdout (-1: ours); stderr is
  // ours. 0, or the error number posix_spawn gave (ENOENT: no such program).
  int start(const std::vector<std::string>& argv, int stdin_fd = -1, int stdout_fd = -1);
  bool running() const noexcept { return pid_ > 0; }
  // The wait status once it has ended (reaped then); nullopt while it runs.
  std::optional<int> poll();
  void signal(int sig) const;

 private:
  pid_t pid_ = -1;
};

// The exit code of a wait status; 128+N when it was killed by signal N.
int exit_code_of(int wait_status);

struct ProcessResult {
  enum class Outcome { exited, signaled, timed_out, not_found, spawn_failed };
  Outcome outcome = Outcome::spawn_failed;
  int exit_code = -1;  // for exited
  std::string out;     // stdout, at most max_output bytes
  std::string error;   // for not_found / spawn_failed
};

ProcessResult run_process(const std::vector<std::string>& argv, std::string_view input,
                          std::chrono::milliseconds timeout, std::size_t max_output = 1 << 20);

}  // namespace dct::registry
