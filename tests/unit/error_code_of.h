#pragma once
// The ErrorCode a callable throws, or ErrorCode::internal when it throws none.
#include "base/errors.h"

namespace dct::test {

template <typename F>
ErrorCode code_of(F&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::internal;
}

}  // namespace dct::test
