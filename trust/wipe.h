#pragma once
// Wiping secret bytes held in std::string buffers before the memory is released.
#include <openssl/crypto.h>

#include <string>

namespace dct::trust {

// Overwrites the whole buffer (spare capacity included) and empties the string.
inline void wipe(std::string& s) noexcept {
  s.resize(s.capacity());
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

// Wipes a string when the scope ends, however it ends.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& s) noexcept : s_(s) {}
  ~WipeOnExit() { wipe(s_); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::string& s_;
};

}  // namespace dct::trust
