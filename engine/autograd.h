#pragma once
// Reverse-mode automatic differentiation, micrograd-sized.
//
// A Var is a node of the computation graph: its value, the gradient of the loss with
// respect to that value, the parents it was computed from, and a backward function
// that pushes its gradient into the parents' gradients. Ops build nodes during the
// forward pass; backward(loss) visits them in reverse topological order.
//
// Contract: gradients accumulate (+=). A leaf made with leaf(value, grad) accumulates
// straight into the caller's buffer (the parameter arena); the caller zeroes it
// between steps. Intermediate gradients are allocated on first use.
#include <functional>
#include <memory>
#include <vector>

#include "engine/tensor.h"

namespace laq::engine {

struct Node;
using Var = std::shared_ptr<Node>;

struct Node {
  Tensor value;
  Tensor grad;  // empty until needed, except for leaves that bring their own buffer
  bool requires_grad = false;
  std::vector<Var> parents;
  std::function<void(Node&)> backward;  // reads this->grad, accumulates into parents

  // The gradient buffer, allocated as zeros on first use.
  Tensor& grad_buffer();
};

// A value that needs no gradient (inputs, targets).
Var constant(Tensor value);
// A trainable leaf whose gradient accumulates into `grad` (same shape as value).
Var leaf(Tensor value, Tensor grad);
// A node computed from `parents`; requires_grad if any parent does.
Var make_node(Tensor value, std::vector<Var> parents, std::function<void(Node&)> backward);

// Seeds d(loss)/d(loss) = 1 for a scalar loss and runs every backward function once.
void backward(const Var& loss);

}  // namespace laq::engine
