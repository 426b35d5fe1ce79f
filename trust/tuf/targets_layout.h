#pragma once
// Where the parts of a targets file sit in its bytes, found in one pass that builds no tree:
// the "signed" and "signatures" values, the fields of "signed" that a lookup needs, and each
// entry of signed.targets. Used to read one target out of a large, already verified file
// without parsing all of it (see verified_index.h).
#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

namespace dct::trust {

struct ByteRange {
  std::size_t offset = 0;
  std::size_t length = 0;
  bool present() const { return length != 0; }
  std::string_view of(std::string_view bytes) const { return bytes.substr(offset, length); }
};

struct TargetsLayout {
  ByteRange signed_value;  // the value of "signed": what the signatures cover
  ByteRange signatures;    // the value of "signatures"
  ByteRange type, version, expires, delegations, targets;  // values inside "signed"
};

// Called for each entry of signed.targets: `key` is the target name as written (never with an
// escape: a name with a backslash fails the scan), `entry` spans from the key's opening quote to
// the end of its value. Returning false stops the scan (it then fails).
using TargetEntryVisitor = std::function<bool(std::string_view key, ByteRange entry)>;

// nullopt when the bytes are not shaped as a targets file this scan can read exactly: not an
// object, a field of the top level or of "signed" given twice or with an escaped name, a target
// name with an escape, nesting deeper than 64, anything after the top-level object.
std::optional<TargetsLayout> scan_targets_layout(std::string_view bytes,
                                                 const TargetEntryVisitor& visit);

}  // namespace dct::trust
