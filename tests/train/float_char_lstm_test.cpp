// The float char LSTM stepped one character at a time (laq sample on a checkpoint) gives the
// logits of the whole-sequence forward pass the model trains with, position by position.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/error.h"
#include "engine/rng.h"
#include "layers/lstm.h"
#include "layers/sequential.h"
#include "train/float_char_lstm.h"

namespace laq::train {
namespace {

TEST(FloatCharLstm, StepsGiveTheLogitsOfTheSequenceForwardPass) {
  const int64_t vocab = 13, hidden = 24, steps = 9;
  layers::CharLstmModel model(vocab, hidden);
  engine::Rng rng(3);
  for (layers::Parameter* p : model.parameters())
    for (float& v : p->value.span()) v = static_cast<float>(engine::uniform01(rng) - 0.5);
  std::vector<int32_t> tokens(steps);
  for (auto& t : tokens) t = static_cast<int32_t>(engine::uniform_below(rng, vocab));

  const engine::Tensor whole = model.forward_tokens(tokens, 1, steps)->value;  // [steps, vocab]
  FloatCharLstm stepper(model);
  EXPECT_EQ(stepper.vocab(), vocab);
  EXPECT_EQ(stepper.hidden(), hidden);
  std::vector<float> logits;
  double largest = 0;
  for (int64_t t = 0; t < steps; ++t) {
    stepper.step(tokens[t], logits);
    ASSERT_EQ(static_cast<int64_t>(logits.size()), vocab);
    for (int64_t k = 0; k < vocab; ++k) largest = std::max(largest, std::fabs(double(logits[k]) - whole[t * vocab + k]));
  }
  EXPECT_LT(largest, 1e-5) << "the state carried between steps is not the sequence's";
  EXPECT_THROW(stepper.step(static_cast<int32_t>(vocab), logits), Error);
  EXPECT_THROW(stepper.step(-1, logits), Error);
}

TEST(FloatCharLstm, RefusesAModelThatIsNotACharLstm) {
  layers::Sequential mlp("mlp");
  EXPECT_THROW(FloatCharLstm{mlp}, Error);
}

}  // namespace
}  // namespace laq::train
