#pragma once
// Reading what `docker push` reports about the manifest it pushed. Both of Docker's image stores
// end a tagged push with the line "<tag>: digest: sha256:<hex> size: <bytes>" (the classic store
// from the manifest it uploaded, the containerd store from the descriptor it pushed, which is
// the single-platform manifest when it fell back from an index). On a terminal the line may be
// surrounded by cursor and erase sequences, and lines may end in "\r\n".
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dct::plugin {

struct PushedManifest {
  std::string digest;  // "sha256:<64 hex>"
  std::size_t size = 0;
};

class PushDigestScanner {
 public:
  explicit PushDigestScanner(std::string tag);

  // Output as it arrives, in chunks of any size.
  void feed(std::string_view chunk);
  // The last digest line for the tag, once the output has ended (a last line without a newline
  // counts too).
  std::optional<PushedManifest> result();

 private:
  void end_line();

  std::string tag_;
  std::string line_;
  bool line_too_long_ = false;
  std::optional<PushedManifest> found_;
};

// The digest line for `tag` in one line of output without its line end, or nullopt.
std::optional<PushedManifest> parse_push_digest_line(std::string_view line, std::string_view tag);

}  // namespace dct::plugin
