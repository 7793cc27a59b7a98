#include "optim/quant_threads.h"

#include <cstddef>
#include <cstdint>
#include <functional>

#include "engine/parallel.h"
#include "quant/runner.h"

namespace laq::optim {

void lend_engine_threads_to_quant() {
  quant::set_runner([](std::size_t count, const std::function<void(std::size_t)>& task) {
    engine::parallel_tasks(static_cast<int64_t>(count), [&](int64_t i) { task(static_cast<std::size_t>(i)); });
  });
}

}  // namespace laq::optim
