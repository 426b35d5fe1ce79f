#pragma once
// Runs a program (searched on PATH) with a small stdin, collects its stdout, and kills it when
// it runs past a deadline. stderr is inherited. Internal to registry/ (credential helpers).
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dct::registry {

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
