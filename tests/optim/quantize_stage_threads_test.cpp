// The quantize stage's projection does not depend on the thread count (it spreads tensors over
// engine::Workers).
#include <gtest/gtest.h>

#include <vector>

#include "engine/threads.h"
#include "layers/linear.h"
#include "optim/adam.h"
#include "optim/quantize_stage.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

using Groups = std::vector<std::pair<std::string, std::vector<layers::Parameter*>>>;

// Runs a few Adam + projection steps with `threads` threads; returns the quantized values
// and scales after each step.
std::vector<float> run(quant::Method method, int threads) {
  const int before = engine::threads();
  engine::set_threads(threads);
  layers::Linear a{"a", 90, 80}, b{"b", 80, 70}, c{"c", 70, 5};
  a.weight.latent.copy_from(testing::random_tensor({80, 90}, 1, -0.8f, 0.8f));
  b.weight.latent.copy_from(testing::random_tensor({70, 80}, 2, -0.8f, 0.8f));
  c.weight.latent.copy_from(testing::random_tensor({5, 70}, 3, -0.8f, 0.8f));
  optim::ParameterArena arena(Groups{{"q", {&a.weight, &b.weight, &c.weight}}});
  auto group = std::make_shared<optim::QuantizedGroup>(arena, arena.group("q"), method, quant::Options{}, false);
  optim::Adam adam("adam", arena.values(arena.group("q")), arena.grads(arena.group("q")));
  optim::QuantizeStage stage(group, adam);
  std::vector<float> seen;
  for (uint64_t step = 0; step < 3; ++step) {
    auto g = testing::random_tensor({arena.size()}, 10 + step);
    std::copy(g.span().begin(), g.span().end(), arena.grads().begin());
    adam.step(0.01f);
    stage.run(0.01f);
    seen.insert(seen.end(), group->quantized().begin(), group->quantized().end());
    seen.insert(seen.end(), group->scales().begin(), group->scales().end());
  }
  engine::set_threads(before);
  return seen;
}

TEST(QuantizeStageThreads, ResultDoesNotDependOnTheThreadCount) {
  for (quant::Method m : {quant::Method::lat_e, quant::Method::lat2_e, quant::Method::lat_a, quant::Method::lab,
                          quant::Method::laq_linear}) {
    EXPECT_EQ(run(m, 1), run(m, 2)) << quant::method_name(m);
  }
}

}  // namespace
}  // namespace laq
