#pragma once
// Work that may run on a second thread while the caller goes on: large hashes beside a
// structural pass. get() on the result waits for it and rethrows what it threw.
#include <future>
#include <system_error>
#include <utility>

namespace dct {

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
