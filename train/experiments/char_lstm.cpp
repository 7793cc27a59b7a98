// The character LSTM on raw text corpora of docs/algorithms.md §3.6: War and Peace and the
// Linux kernel source, each cut into train/valid/test blocks.
#include <filesystem>

#include "datasets/char_corpus.h"
#include "train/experiments/common.h"
#include "train/experiments/presets.h"

namespace laq::train::presets {
namespace {

datasets::CharCorpus corpus(const RunConfig& config, const char* file, datasets::SplitFractions fractions) {
  // The block split uses the run's batch size.
  const std::filesystem::path path = std::filesystem::path(config.data_dir) / file;
  check_block_split(path, fractions, config.batch, kCharSeqLen);
  return datasets::load_char_corpus(path, fractions, config.batch, kCharSeqLen);
}
datasets::CharCorpus warpeace(const RunConfig& config) {
  return corpus(config, "warpeace_input.txt", datasets::kWarPeaceFractions);
}
datasets::CharCorpus linux_source(const RunConfig& config) {
  return corpus(config, "linux_input.txt", datasets::kLinuxFractions);
}

}  // namespace

// 100-character windows, batch 100: a full epoch is the training share of the corpus /
// 10,000 characters. 388 ms per step, 1x512, 100 steps, batch 100.
ExperimentPreset warpeace_lstm() {
  return {.defaults = {"warpeace-lstm",
                       "War and Peace, char LSTM 1x512, one-hot input, FP softmax, 80/10/10 blocks (docs/algorithms.md §3.6)",
                       "warpeace", 200, 100, 0.002, "exp:11", 0.98, LossKind::cross_entropy, Metric::cross_entropy, 0},
          .network = Network::char_lstm,
          .table = "lstm",
          .dataset = "warpeace",
          .label = "War and Peace",
          .step_seconds = 0.40,
          .full_steps_per_epoch = 3258000 * 8 / 10 / 10000,
          .build_model = char_lstm_model,
          .load_data = char_lstm_data,
          .load_char_corpus = warpeace};
}

ExperimentPreset linux_lstm() {
  return {.defaults = {"linux-lstm", "Linux kernel source, char LSTM 1x512, 90/5/5 blocks (docs/algorithms.md §3.6)",
                       "linux", 200, 100, 0.002, "exp:11", 0.98, LossKind::cross_entropy, Metric::cross_entropy, 0},
          .network = Network::char_lstm,
          .bench_model = "lstm",
          .table = "lstm",
          .dataset = "linux",
          .label = "Linux",
          .step_seconds = 0.40,
          .full_steps_per_epoch = 6206000 * 9 / 10 / 10000,
          .build_model = char_lstm_model,
          .load_data = char_lstm_data,
          .load_char_corpus = linux_source};
}

}  // namespace laq::train::presets
