#pragma once
// Work on many images at once: items that share a key (a repository, whose trust cache one
// worker updates at a time) run one after another in their order, items with different keys
// run concurrently on a few threads. Errors stay with their item.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/errors.h"

namespace dct::plugin {

inline constexpr std::size_t kMaxConcurrentRepositories = 8;

// Calls work(i) for every i below n and returns, per item, the error it threw (a dct::Error as
// is, anything else as an internal error). key(i) is called on this thread first.
std::vector<std::optional<Error>> run_grouped(std::size_t n,
                                              const std::function<std::string(std::size_t)>& key,
                                              const std::function<void(std::size_t)>& work,
                                              std::size_t max_threads = kMaxConcurrentRepositories);

}  // namespace dct::plugin
