#pragma once
// Arguments given in the wrong order (`signer add IMAGE NAME`, `sign TAG IMAGE`, `key load NAME
// FILE`, a key file where an image goes): recognised before the command line is parsed and
// answered with the command line that was probably meant, as a usage error (exit 125).
#include <string>
#include <vector>

namespace dct::plugin {

// What a command's check sees: its positional arguments, and its flags (with their values) as
// typed, to be repeated in the suggestion.
struct TypedArgs {
  std::string path;  // the command, e.g. "signer add"
  std::vector<std::string> positionals;
  std::vector<std::string> flags;
};

// Throws invalid_argument "arguments look swapped: did you mean `docker dct ...`?" when they
// do. One check per shape of command line:
void check_signer_args(const TypedArgs& a);      // NAME REPOSITORY...
void check_delegation_args(const TypedArgs& a);  // IMAGE ROLE [CERT|KEYID]...
void check_image_tag_args(const TypedArgs& a);   // IMAGE:TAG
void check_image_args(const TypedArgs& a);       // IMAGE (a key file is not one)
void check_key_load_args(const TypedArgs& a);    // KEYFILE --name NAME

}  // namespace dct::plugin
