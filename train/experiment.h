#pragma once
// The paper's experiments: for each name, its data, its network and its training defaults
// (docs/algorithms.md §3.8). `laq train --experiment NAME` starts from these and applies the flags.
#include <memory>
#include <string>
#include <vector>

#include "datasets/char_corpus.h"
#include "engine/batch_norm.h"
#include "engine/tensor.h"
#include "layers/sequential.h"
#include "train/run_config.h"

namespace laq::train {

enum class LossKind { squared_hinge,
                      cross_entropy };
// What model selection and the tables report: classification error in percent, or the
// mean cross-entropy in nats per target (the language models). Lower is better for both.
enum class Metric { error_percent,
                    cross_entropy };
// "error" or "cross_entropy": the stem of the results keys (val_<m>, test_<m>_at_best_val).
const char* metric_key(Metric metric);
// "1.26%" or "1.3142 nats", for people.
std::string format_metric(Metric metric, double value);

// The network a preset trains, which is what the packed runtimes (train/packed_net.h for the
// feedforward nets, train/packed_lstm.h for the char LSTM) and the flag checks that depend on
// the architecture need to know; the preset names are not parsed for it.
enum class Network { mlp,
                     vgg,
                     char_lstm };

struct ExperimentDefaults {
  std::string name;
  std::string description;
  std::string data_subdir;  // under data/, where tools/get_data.sh puts it
  int64_t epochs, batch;
  double lr;
  std::string schedule;
  double lr_decay;
  LossKind loss;
  Metric metric = Metric::error_percent;
  int64_t val_size = 0;  // validation images cut from the end of the training file (0: the reader's own split)
};

const std::vector<ExperimentDefaults>& experiments();
const ExperimentDefaults& experiment(const std::string& name);  // throws, listing the names
Network experiment_network(const std::string& name);            // throws, listing the names
// The experiment `laq bench --model MODEL` times; empty when no preset is benched as MODEL.
std::string bench_experiment(const std::string& model);
std::string bench_models();  // "mlp, vgg, lstm"
// One batch of the network's inputs: [batch, 784] images, [batch, 3, 32, 32] images, or
// [batch, 100] windows of character ids.
engine::Shape input_shape(Network network, int64_t batch);

struct LabeledSet {
  engine::Tensor x;                 // [N, features...]
  std::vector<int32_t> y;           // N * targets_per_example, example-major
  int64_t targets_per_example = 1;  // a language model predicts every position of a window
  // A language model's evaluation text rarely ends on a window boundary: its last positions
  // form one shorter window (x [1, r], r targets), evaluated after the others so that every
  // position counts once. Null when the windows cover the text (and for training sets).
  std::shared_ptr<const LabeledSet> tail = nullptr;
  int64_t targets() const;  // every target of the set, the tail's included
};

struct ClassificationData {
  LabeledSet train, val, test;
  int64_t classes = 0;
};

ClassificationData load_data(const RunConfig& config);
// The char-LSTM presets' corpus (its vocabulary maps ids to bytes); throws for the others.
datasets::CharCorpus load_char_corpus(const RunConfig& config);
// Language models need config.vocab (load_data's `classes`).
std::unique_ptr<layers::Module> build_model(const RunConfig& config);

// The batch-norm form of --batch-norm: "binary-connect" or "variance".
engine::BatchNormConfig batch_norm_config(const std::string& form);

// The docs/algorithms.md §3.2 MLP: 784 -> [Dense 2048 -> BN -> ReLU] x3 -> Dense 10 -> BN.
std::unique_ptr<layers::Sequential> mnist_mlp(int64_t hidden, int64_t layers,
                                              const std::string& batch_norm_form);
// The BinaryConnect VGG-like net of docs/algorithms.md §3.3-3.5 for 3x32x32 images, widths K, 2K, 4K:
// (2 x conv K) - pool - (2 x conv 2K) - pool - (2 x conv 4K) - pool - 2 x Dense 1024 - Dense
// classes, every conv/dense followed by BN (max-pool before it) and ReLU, the last by BN
// only when `final_batch_norm` (squared hinge) and by nothing for a softmax.
std::unique_ptr<layers::Sequential> vgg(int64_t k, int64_t classes, bool final_batch_norm,
                                        const std::string& batch_norm_form);

}  // namespace laq::train
