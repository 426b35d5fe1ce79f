#pragma once
// TEST ONLY. The attacks, as edits of a baseline repository whose tag v1 is signed in targets
// and v2 in targets/releases.
#include <vector>

#include "mutator.h"
#include "runner.h"

namespace dct::attack {

std::vector<Case> all_cases(KeyPool& pool);

}  // namespace dct::attack
