#include "plugin/concurrent.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <thread>

namespace dct::plugin {

std::vector<std::optional<Error>> run_grouped(std::size_t n,
                                              const std::function<std::string(std::size_t)>& key,
                                              const std::function<void(std::size_t)>& work,
                                              std::size_t max_threads) {
  std::vector<std::optional<Error>> errors(n);
  std::vector<std::vector<std::size_t>> groups;
  std::map<std::string, std::size_t> group_of;
  for (std::size_t i = 0; i < n; ++i) {
    auto [it, fresh] = group_of.emplace(key(i), groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  auto run_one = [&](std::size_t i) {
    try {
      work(i);
    } catch (const Error& e) {
      errors[i] = e;
    } catch (const std::exception& e) {
      errors[i] = Error(ErrorCode::internal, e.what());
    }
  };
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t g = next++; g < groups.size(); g = next++)
      for (std::size_t i : groups[g]) run_one(i);
  };
  const std::size_t threads = std::min(groups.size(), std::max<std::size_t>(1, max_threads));
  if (threads <= 1) {
    worker();
    return errors;
  }
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return errors;
}

}  // namespace dct::plugin
