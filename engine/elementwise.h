#pragma once
#include "engine/autograd.h"

namespace laq::engine {

// A tensor of shape [N, C, spatial...] seen as N x C x S (S = product of trailing dims, 1 for
// [N, C]). Bias add and batch norm work per channel C over N and S.
struct ChannelLayout {
  int64_t n, c, s;
};
ChannelLayout channel_layout(const Tensor& x, const char* op);

// y = x + b, b[C] broadcast over N and the spatial dims.
Var add_bias(const Var& x, const Var& b);
// y = max(x, 0); the gradient at 0 is 0.
Var relu(const Var& x);
// y = a + b, same shapes.
Var add(const Var& a, const Var& b);

}  // namespace laq::engine
