#include "engine/autograd.h"

#include <unordered_set>

#include "engine/error.h"

namespace laq::engine {

Tensor& Node::grad_buffer() {
  if (grad.empty()) grad = Tensor(value.shape());
  return grad;
}

Var constant(Tensor value) {
  auto node = std::make_shared<Node>();
  node->value = std::move(value);
  return node;
}

Var leaf(Tensor value, Tensor grad) {
  if (grad.numel() != value.numel())
    throw Error("leaf: gradient buffer " + to_string(grad.shape()) + " does not match value " +
                to_string(value.shape()));
  auto node = std::make_shared<Node>();
  node->value = std::move(value);
  node->grad = grad.reshape(node->value.shape());
  node->requires_grad = true;
  return node;
}

Var make_node(Tensor value, std::vector<Var> parents, std::function<void(Node&)> backward) {
  auto node = std::make_shared<Node>();
  node->value = std::move(value);
  for (const Var& p : parents) node->requires_grad = node->requires_grad || p->requires_grad;
  if (node->requires_grad) {
    node->parents = std::move(parents);
    node->backward = std::move(backward);
  }
  return node;
}

void backward(const Var& loss) {
  if (loss->value.numel() != 1)
    throw Error("backward: the loss must be a scalar, got shape " + to_string(loss->value.shape()));
  if (!loss->requires_grad) return;

  // Iterative post-order DFS: deep graphs (an unrolled LSTM) must not overflow the stack.
  std::vector<Node*> order;
  std::unordered_set<Node*> seen;
  std::vector<std::pair<Node*, size_t>> stack{{loss.get(), 0}};
  seen.insert(loss.get());
  while (!stack.empty()) {
    auto& [node, next_parent] = stack.back();
    if (next_parent < node->parents.size()) {
      Node* parent = node->parents[next_parent++].get();
      if (parent->requires_grad && seen.insert(parent).second) stack.push_back({parent, 0});
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }

  loss->grad_buffer().fill(1.0f);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = *it;
    if (node->backward && !node->grad.empty()) node->backward(*node);
  }
}

}  // namespace laq::engine
