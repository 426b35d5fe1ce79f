#pragma once
// Parsed OpenSSL objects kept per process by the bytes they came from. A command looks at the
// same few keys and certificates many times, and each parse searches OpenSSL's decoders. The
// objects are only read once parsed, so every caller gets a new reference to the one object.
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dct::trust::ossl {

template <typename Handle, auto UpRef>
class HandleMemo {
 public:
  // The object for `key`, made by make() the first time; a null handle is not kept.
  template <typename Make>
  Handle get(const std::string& key, Make&& make) {
    {
      std::lock_guard lock(mutex_);
      if (auto it = known_.find(key); it != known_.end()) return reference(it->second);
    }
    Handle made = make();
    if (!made) return Handle();
    std::lock_guard lock(mutex_);
    if (known_.size() >= kLimit) known_.clear();
    auto [it, inserted] = known_.emplace(key, std::move(made));
    return reference(it->second);
  }

 private:
  static constexpr std::size_t kLimit = 1024;
  static Handle reference(const Handle& h) {
    UpRef(h.get());
    return Handle(h.get());
  }
  std::mutex mutex_;
  std::unordered_map<std::string, Handle> known_;
};

}  // namespace dct::trust::ossl
