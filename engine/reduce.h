#pragma once
#include "engine/autograd.h"

namespace laq::engine {

// Scalar sum and mean of all elements (accumulated in double).
Var sum(const Var& x);
Var mean(const Var& x);

}  // namespace laq::engine
