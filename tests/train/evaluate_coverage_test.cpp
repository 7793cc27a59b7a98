// Evaluation counts every example exactly once: the last, smaller batch is evaluated; a set
// smaller than one batch gives its true error (not 0.00%); a language model's tail window
// counts its positions; the ranks of a data-parallel run share the batches without overlap;
// an empty set is an error, not a perfect score. With batches that divide the set, the
// number is the old mean of batch means bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "engine/autograd.h"
#include "engine/error.h"
#include "engine/losses.h"
#include "engine/rng.h"
#include "layers/lstm.h"
#include "support/tiny_session.h"
#include "train/communicator.h"
#include "train/experiment.h"
#include "train/trainer.h"

namespace laq::test {
namespace {

// Rank `rank` of `ranks` whose sums stay local: evaluate() then returns this rank's share,
// and the shares of all ranks add up to the whole.
class LocalShare final : public train::Communicator {
 public:
  LocalShare(int rank, int ranks) : rank_(rank), ranks_(ranks) {}
  int rank() const override { return rank_; }
  int size() const override { return ranks_; }
  void allreduce_sum(std::span<float>) override {}
  void allreduce_sum(std::span<double>) override {}
  void barrier() override {}
  void send(int, std::span<const int64_t>) override {}
  std::optional<train::Message> poll() override { return std::nullopt; }
  void abort_job(int) override {}

 private:
  int rank_, ranks_;
};

constexpr int64_t kExamples = 23;

// 23 examples of the tiny net (3 inputs, 2 classes) whose labels make exactly the examples
// i % 3 == 0 wrong: the labels are read off the net's own predictions.
train::LabeledSet known_error_set(train::Session& s) {
  engine::Rng rng(5);
  train::LabeledSet set;
  set.x = engine::Tensor({kExamples, 3});
  for (float& v : set.x.span()) v = static_cast<float>(engine::uniform01(rng) * 4 - 2);
  const engine::Var out = s.model->forward(engine::constant(set.x), false);
  for (int64_t i = 0; i < kExamples; ++i) {
    const int32_t predicted = out->value[i * 2 + 1] > out->value[i * 2] ? 1 : 0;
    set.y.push_back(i % 3 == 0 ? 1 - predicted : predicted);
  }
  return set;
}

constexpr double kKnownError = 100.0 * 8 / kExamples;  // i = 0, 3, ..., 21

TEST(EvaluateCoverage, EveryBatchSizeCountsEveryExampleOnce) {
  train::Session s = tiny_session(tiny_config("fpn"));
  const train::LabeledSet set = known_error_set(s);
  const auto& experiment = train::experiment("mnist-mlp");
  ASSERT_EQ(engine::count_errors(s.model->forward(engine::constant(set.x), false)->value, set.y), 8);
  // 1 and 23 divide the set; 5 and 7 leave a last batch of 3 and 2; 64 is larger than it.
  for (int64_t batch : {1, 5, 7, 23, 64})
    EXPECT_DOUBLE_EQ(train::evaluate(s, set, batch, experiment), kKnownError) << "batch " << batch;
}

TEST(EvaluateCoverage, RanksShareTheBatchesWithoutOverlap) {
  train::Session s = tiny_session(tiny_config("fpn"));
  const train::LabeledSet set = known_error_set(s);
  const auto& experiment = train::experiment("mnist-mlp");
  for (int ranks : {2, 3, 5, 8})  // 8 ranks: more ranks than the 5 batches of 5
    for (int64_t batch : {5, 64}) {
      double whole = 0;
      for (int r = 0; r < ranks; ++r) {
        LocalShare share(r, ranks);
        whole += train::evaluate(s, set, batch, experiment, &share);
      }
      EXPECT_NEAR(whole, kKnownError, 1e-9) << ranks << " ranks, batch " << batch;
    }
}

TEST(EvaluateCoverage, AnEmptySetIsAnErrorNotAPerfectScore) {
  train::Session s = tiny_session(tiny_config("fpn"));
  train::LabeledSet empty;
  empty.x = engine::Tensor({0, 3});
  EXPECT_THROW(train::evaluate(s, empty, 10, train::experiment("mnist-mlp")), Error);
}

// A character model: vocabulary 5, windows of 4, hidden 4.
constexpr int64_t kVocab = 5, kSteps = 4;

train::Session char_session() {
  train::RunConfig c = tiny_config("fpn");
  c.experiment = "ptb-lstm";
  c.vocab = kVocab;
  return train::make_session(c, std::make_unique<layers::CharLstmModel>(kVocab, 4, 5.0f));
}

train::LabeledSet char_windows(int64_t windows, int64_t steps, uint64_t seed) {
  engine::Rng rng(seed);
  train::LabeledSet set;
  set.x = engine::Tensor({windows, steps});
  for (float& v : set.x.span()) v = static_cast<float>(engine::uniform_below(rng, kVocab));
  for (int64_t i = 0; i < windows * steps; ++i) set.y.push_back(static_cast<int32_t>(engine::uniform_below(rng, kVocab)));
  set.targets_per_example = steps;
  return set;
}

// Sum over the set's targets of -log softmax, from one forward of all its windows.
double summed_cross_entropy(train::Session& s, const train::LabeledSet& set) {
  const engine::Var logits = s.model->forward(engine::constant(set.x), false);
  double sum = 0;
  for (size_t row = 0; row < set.y.size(); ++row) {
    const float* o = logits->value.data() + row * kVocab;
    double top = o[0], z = 0;
    for (int64_t k = 1; k < kVocab; ++k) top = std::max(top, double(o[k]));
    for (int64_t k = 0; k < kVocab; ++k) z += std::exp(double(o[k]) - top);
    sum += top + std::log(z) - double(o[set.y[row]]);
  }
  return sum;
}

TEST(EvaluateCoverage, LanguageModelMeanIsOverEveryPositionTailIncluded) {
  train::Session s = char_session();
  train::LabeledSet set = char_windows(7, kSteps, 1);
  set.tail = std::make_shared<const train::LabeledSet>(char_windows(1, 3, 2));
  ASSERT_EQ(set.targets(), 7 * kSteps + 3);
  const double expected =
      (summed_cross_entropy(s, set) + summed_cross_entropy(s, *set.tail)) / double(set.targets());
  const auto& experiment = train::experiment("ptb-lstm");
  for (int64_t batch : {1, 2, 3, 7, 10})
    EXPECT_NEAR(train::evaluate(s, set, batch, experiment), expected, 1e-5 * expected) << "batch " << batch;
  double whole = 0;
  for (int r = 0; r < 3; ++r) {
    LocalShare share(r, 3);
    whole += train::evaluate(s, set, 2, experiment, &share);
  }
  EXPECT_NEAR(whole, expected, 1e-5 * expected);
}

TEST(EvaluateCoverage, FullBatchesGiveTheMeanOfBatchMeansBitForBit) {
  train::Session s = char_session();
  const train::LabeledSet set = char_windows(6, kSteps, 3);
  double sum = 0;
  for (int64_t b = 0; b < 6; b += 3) {
    const engine::Var out = s.model->forward(engine::constant(set.x.rows(b, b + 3)), false);
    sum += engine::softmax_cross_entropy(out, std::span(set.y).subspan(b * kSteps, 3 * kSteps))->value[0];
  }
  EXPECT_EQ(train::evaluate(s, set, 3, train::experiment("ptb-lstm")), sum / 2);
}

}  // namespace
}  // namespace laq::test
