#pragma once
// Everything that defines a training run. It is written into every checkpoint (as HDF5
// attributes) and every results line (as JSON), and a resumed run reads it back, so the
// field list below is the single place that names them (visit_fields).
#include <cstdint>
#include <string>

namespace laq::train {

struct RunConfig {
  std::string experiment = "mnist-mlp";
  std::string method = "fpn";
  int64_t bits = 3;            // laq-linear, laq-log, dorefa
  bool code_faithful = false;  // reproduce the authors' code quirks (docs/algorithms.md §5)
  bool per_channel = false;    // one scale per output channel instead of per tensor
  int64_t epochs = 50;
  int64_t batch = 100;
  double lr = 0.01;
  std::string schedule = "step:15,25";
  double lr_decay = 0.1;
  std::string optimizer = "adam";             // adam | sgd
  double momentum = 0.0;                      // sgd only
  std::string batch_norm = "binary-connect";  // binary-connect | variance
  int64_t seed = 1234;
  int64_t threads = 2;
  int64_t checkpoint_every = 0;  // steps between mid-epoch checkpoints; 0: epoch ends only
  int64_t steps_per_epoch = 0;   // 0: the whole training set; else a cap, for smoke runs
  int64_t train_size = 0;        // 0: the experiment's split; else the first N training examples
  int64_t val_size = 10000;      // validation = the last val_size images of the training file (the preset's by default)
  std::string data_dir;
  std::string out_dir;
  int64_t vocab = 0;  // language models: the vocabulary size, set from the data
};

// Calls f(name, field&) for every field, in a fixed order.
template <typename Config, typename F>
void visit_fields(Config& c, F&& f) {
  f("experiment", c.experiment);
  f("method", c.method);
  f("bits", c.bits);
  f("code_faithful", c.code_faithful);
  f("per_channel", c.per_channel);
  f("epochs", c.epochs);
  f("batch", c.batch);
  f("lr", c.lr);
  f("schedule", c.schedule);
  f("lr_decay", c.lr_decay);
  f("optimizer", c.optimizer);
  f("momentum", c.momentum);
  f("batch_norm", c.batch_norm);
  f("seed", c.seed);
  f("threads", c.threads);
  f("checkpoint_every", c.checkpoint_every);
  f("steps_per_epoch", c.steps_per_epoch);
  f("train_size", c.train_size);
  f("val_size", c.val_size);
  f("data_dir", c.data_dir);
  f("out_dir", c.out_dir);
  f("vocab", c.vocab);
}

}  // namespace laq::train
