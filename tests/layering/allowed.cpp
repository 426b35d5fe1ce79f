// Compiled as part of trust/tuf: a room below it may be included.
#include "trust/formats/metadata.h"

int layering_allowed() { return 0; }
