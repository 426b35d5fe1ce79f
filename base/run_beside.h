#pragma once
// Work that may run on a second thread while the caller goes on: large hashes beside a
// structural pass. get() on the result waits for it and rethrows what it threw.
#include <future>
#include <system_error>
#include <utility>

namespace dct {

// Inputs at least this large are worth a thread (starting one costs about 50 microseconds;
// hashing 256 KiB with SHA-512 about 350).
inline constexpr std::size_t kParallelCheckSize = 256 * 1024;

// On another thread when `parallel` (and a thread can be started), else when get() is called.
template <typename Work>
std::future<void> run_beside(bool parallel, Work&& work) {
  if (parallel) {
    try {
      return std::async(std::launch::async, work);
    } catch (const std::system_error&) {
    }
  }
  return std::async(std::launch::deferred, std::forward<Work>(work));
}

}  // namespace dct
