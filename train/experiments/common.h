#pragma once
// What several presets share: cutting a reader's splits into the trainer's sets, checking the
// size flags against the data, and the character-LSTM model and windows.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "datasets/char_corpus.h"
#include "engine/tensor.h"
#include "layers/module.h"
#include "train/experiment.h"
#include "train/run_config.h"

namespace laq::train::presets {

// The first `limit` examples (0: all). A limit beyond the set would silently train on less
// than asked: refused.
LabeledSet take(engine::Tensor x, std::vector<int32_t> y, int64_t limit);

// A reader's train/val/test tensors as the trainer's sets (all readers name them alike).
template <typename Data>
ClassificationData splits_of(Data& d, int64_t train_limit, int64_t classes) {
  ClassificationData out;
  out.train = take(std::move(d.train_x), std::move(d.train_y), train_limit);
  out.val = {std::move(d.val_x), std::move(d.val_y)};
  out.test = {std::move(d.test_x), std::move(d.test_y)};
  out.classes = classes;
  return out;
}

// The validation size of an experiment that cuts it from its training file of `n` images.
int64_t training_images_after_validation(const RunConfig& config, int64_t n);

// The LAQ block split depends on the batch (blocks of batch x 100 characters): a batch too
// large for the text is the flag's fault when batch 1 would split it.
void check_block_split(const std::filesystem::path& file, datasets::SplitFractions fractions, int64_t batch,
                       int64_t seq_len);

// 100-character windows (docs/algorithms.md §3.6).
constexpr int64_t kCharSeqLen = 100;
// The char LSTM of every language-model preset: 1 x 512 over config.vocab symbols.
std::unique_ptr<layers::Module> char_lstm_model(const RunConfig& config);
// A language model's data: its preset's corpus as windows of kCharSeqLen characters.
ClassificationData char_lstm_data(const RunConfig& config);

}  // namespace laq::train::presets
