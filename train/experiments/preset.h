#pragma once
// One paper experiment, everything laq knows about it in one place: the training defaults,
// the network, the data, its column of `laq table` and what a sweep cell of it costs. Each
// train/experiments/<name>.cpp defines its presets; registry.cpp lists them in the paper's
// column order (an explicit list rather than self-registering statics, which the linker
// drops from a static library when nothing else references their file).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datasets/char_corpus.h"
#include "layers/module.h"
#include "train/experiment.h"
#include "train/run_config.h"

namespace laq::train {

struct ExperimentPreset {
  ExperimentDefaults defaults;  // defaults.name is the preset's name (--experiment)
  Network network;
  // The one preset `laq bench --model NAME` times for each network (mlp, vgg, lstm); empty
  // for the others, which share their network with it.
  std::string bench_model = "";
  // Its column in the reports and sweeps.
  std::string table;    // "feedforward" | "lstm"
  std::string dataset;  // mnist, ...: the key of docs/paper_numbers.csv and of `laq table --datasets`
  std::string label;    // MNIST, ...: the column heading
  // For planning sweeps: seconds per training step (laq bench medians of docs/results.md,
  // 2 threads, rounded up) and the steps of a full epoch at the preset's batch size.
  double step_seconds = 0;
  int64_t full_steps_per_epoch = 0;
  std::unique_ptr<layers::Module> (*build_model)(const RunConfig&) = nullptr;
  ClassificationData (*load_data)(const RunConfig&) = nullptr;
  // The character corpus of a language model; null for the image experiments.
  datasets::CharCorpus (*load_char_corpus)(const RunConfig&) = nullptr;
};

// Every preset, in the paper's column order: the feedforward table's, then the LSTM table's.
const std::vector<ExperimentPreset>& experiment_presets();
// Null when no preset has that name.
const ExperimentPreset* find_experiment_preset(const std::string& name);

}  // namespace laq::train
