// optim::make_step: the stages of one training step, in order, for every method and both
// optimizers, the arena's two groups, and the gradient sync put before everything else.
#include "optim/step.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/error.h"
#include "layers/linear.h"
#include "support/gradient_check.h"

namespace laq {
namespace {

struct Net {
  layers::Linear a{"a", 5, 4}, b{"b", 4, 3};
  Net() {
    a.weight.latent.copy_from(testing::random_tensor({4, 5}, 1, -0.8f, 0.8f));
    b.weight.latent.copy_from(testing::random_tensor({3, 4}, 2, -0.8f, 0.8f));
  }
  std::vector<layers::Parameter*> parameters() { return {&a.weight, a.bias.get(), &b.weight, b.bias.get()}; }
};

std::vector<std::string> stage_names(const optim::StepPipeline& p) {
  std::vector<std::string> names;
  for (const auto& s : p.stages()) names.push_back(s->name());
  return names;
}

optim::StepConfig config(std::string optimizer, std::optional<quant::Method> method) {
  optim::StepConfig c;
  c.optimizer = std::move(optimizer);
  c.method = method;
  return c;
}

using Names = std::vector<std::string>;

TEST(MakeStep, FullPrecisionIsOneOptimizerOverEveryParameter) {
  Net net;
  optim::TrainingStep step = optim::make_step(net.parameters(), config("adam", std::nullopt));
  EXPECT_EQ(stage_names(step.pipeline), Names{"adam"});
  EXPECT_EQ(step.quantized, nullptr);
  EXPECT_EQ(step.arena->size(), 4 * 5 + 4 + 3 * 4 + 3);
  EXPECT_EQ(net.a.weight.value.data(), net.a.weight.latent.data());
}

TEST(MakeStep, EveryMethodRunsTransformOptimizerQuantizeOptimizerInThatOrder) {
  for (quant::Method m : quant::all_methods) {
    if (m == quant::Method::fpn) continue;
    const std::string name = quant::method_name(m);
    for (const std::string optimizer : {"adam", "sgd"}) {
      SCOPED_TRACE(name + " with " + optimizer);
      Net net;
      optim::TrainingStep step = optim::make_step(net.parameters(), config(optimizer, m));
      Names expected;
      if (m == quant::Method::ttq || m == quant::Method::dorefa) expected.push_back("quantize-gradient:" + name);
      expected.push_back(optimizer + "_quantized");
      // Adam clips in its own loop; SGD needs the stage; DoReFa is never clipped.
      if (optimizer == "sgd" && m != quant::Method::dorefa) expected.push_back("clip");
      expected.push_back("quantize:" + name);
      expected.push_back(optimizer + "_other");
      EXPECT_EQ(stage_names(step.pipeline), expected);
      ASSERT_NE(step.quantized, nullptr);
      // The weights come first in the arena, then the biases; the forward pass reads q.
      EXPECT_EQ(step.arena->group("quantized").size(), 4 * 5 + 3 * 4);
      EXPECT_EQ(step.arena->group("other").size(), 4 + 3);
      EXPECT_EQ(net.b.weight.value.data(), step.quantized->quantized().data() + 4 * 5);
      EXPECT_EQ(net.a.bias->value.data(), net.a.bias->latent.data());
    }
  }
}

TEST(MakeStep, ClippedLatentWeightsStayInTheUnitInterval) {
  for (const std::string optimizer : {"adam", "sgd"}) {
    Net net;
    optim::TrainingStep step = optim::make_step(net.parameters(), config(optimizer, quant::Method::lat_e));
    for (float& g : step.arena->grads()) g = 1e3f;  // one step of lr 1 would leave [-1, 1] far behind
    step.pipeline.step(1.0f);
    for (float w : step.arena->values(step.arena->group("quantized"))) {
      EXPECT_GE(w, -1.0f) << optimizer;
      EXPECT_LE(w, 1.0f) << optimizer;
    }
  }
}

TEST(MakeStep, TheGradientSyncRunsFirstOverTheWholeArena) {
  Net net;
  optim::TrainingStep step = optim::make_step(net.parameters(), config("adam", quant::Method::ttq));
  std::vector<float> seen;
  step.pipeline.sync_gradients_first(step.arena->grads(), [&](std::span<float> g) {
    seen.assign(g.begin(), g.end());
    for (float& x : g) x = 0.0f;  // the stages after it must see what the sync left
  });
  EXPECT_EQ(stage_names(step.pipeline).front(), "gradient-sync");
  for (float& g : step.arena->grads()) g = 0.5f;
  const std::vector<float> before(step.arena->values().begin(), step.arena->values().end());
  step.pipeline.step(0.1f);
  EXPECT_EQ(seen, std::vector<float>(step.arena->size(), 0.5f));
  // Zero gradients everywhere: Adam leaves every latent weight where it was.
  const std::vector<float> after(step.arena->values().begin(), step.arena->values().end());
  EXPECT_EQ(after, before);
}

TEST(MakeStep, AnUnknownOptimizerIsRefusedByName) {
  Net net;
  try {
    optim::make_step(net.parameters(), config("rmsprop", quant::Method::lab));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rmsprop"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace laq
