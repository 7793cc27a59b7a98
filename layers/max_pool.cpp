#include "layers/max_pool.h"

#include <string>

#include "engine/error.h"
#include "engine/max_pool.h"

namespace laq::layers {

MaxPool2d::MaxPool2d(std::string name, int64_t kernel_, int64_t stride_)
    : Module(name), kernel(kernel_), stride(stride_) {
  if (kernel < 1 || stride < 1)
    throw Error(name + ": pooling window " + std::to_string(kernel) + " and stride " +
                std::to_string(stride) + " must be >= 1");
}

engine::Var MaxPool2d::forward(const engine::Var& x, bool) {
  try {
    return engine::max_pool2d(x, kernel, stride);
  } catch (const Error& e) {
    throw Error(name() + ": " + e.what());
  }
}

}  // namespace laq::layers
