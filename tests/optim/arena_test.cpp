#include <gtest/gtest.h>

#include "engine/error.h"
#include "layers/linear.h"
#include "optim/arena.h"

namespace laq {
namespace {

TEST(ParameterArena, RebindsParametersIntoContiguousGroups) {
  layers::Linear a("a", 3, 2), b("b", 2, 4);
  a.weight.latent[0] = 7.0f;
  optim::ParameterArena arena({{"weights", {&a.weight, &b.weight}}, {"rest", {a.bias.get(), b.bias.get()}}});
  EXPECT_EQ(arena.size(), 6 + 8 + 2 + 4);
  const auto& w = arena.group("weights");
  EXPECT_EQ(w.begin, 0);
  EXPECT_EQ(w.end, 14);
  EXPECT_EQ(arena.values()[0], 7.0f);  // value copied in
  arena.values()[1] = 5.0f;            // and the parameter now views the arena
  EXPECT_EQ(a.weight.value[1], 5.0f);
  EXPECT_EQ(a.weight.grad.data(), arena.grads().data());
  EXPECT_EQ(b.bias->latent.data(), arena.values().data() + 16);
  EXPECT_THROW(arena.group("nope"), Error);
}

TEST(ParameterArena, RejectsADuplicateParameter) {
  layers::Linear a("a", 3, 2);
  EXPECT_THROW(optim::ParameterArena({{"g", {&a.weight, &a.weight}}}), Error);
}

}  // namespace
}  // namespace laq
