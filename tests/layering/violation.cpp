// Compiled as part of trust/tuf: the wire is not a room the trust core may see, so this must
// not compile (tests/CMakeLists.txt expects the build of this file to fail).
#include "registry/http.h"

int layering_violation() { return 0; }
