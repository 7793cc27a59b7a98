#include "quant/runner.h"

#include <utility>

namespace laq::quant {
namespace {
Runner& installed() {
  static Runner runner;
  return runner;
}
}  // namespace

void set_runner(Runner runner) { installed() = std::move(runner); }

void run_tasks(std::size_t count, const std::function<void(std::size_t)>& task) {
  const Runner& runner = installed();
  if (runner && count > 1) return runner(count, task);
  for (std::size_t i = 0; i < count; ++i) task(i);
}

}  // namespace laq::quant
