// The character LSTM on the Penn Treebank's own train/valid/test files (docs/algorithms.md §3.6).
#include "datasets/ptb.h"
#include "train/experiments/common.h"
#include "train/experiments/presets.h"

namespace laq::train::presets {
namespace {

datasets::CharCorpus corpus(const RunConfig& config) { return datasets::load_ptb_bytes(config.data_dir, kCharSeqLen); }

}  // namespace

ExperimentPreset ptb_lstm() {
  return {.defaults = {"ptb-lstm",
                       "Penn Treebank ptb.{train,valid,test}.txt read as bytes, char LSTM 1x512 (docs/algorithms.md §3.6)",
                       "ptb", 200, 100, 0.002, "exp:11", 0.98, LossKind::cross_entropy, Metric::cross_entropy, 0},
          .network = Network::char_lstm,
          .table = "lstm",
          .dataset = "ptb",
          .label = "PTB",
          .step_seconds = 0.40,                     // the char LSTM of char_lstm.cpp
          .full_steps_per_epoch = 5101000 / 10000,  // batch 100 x 100-character windows
          .build_model = char_lstm_model,
          .load_data = char_lstm_data,
          .load_char_corpus = corpus};
}

}  // namespace laq::train::presets
