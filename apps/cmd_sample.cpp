// laq sample: text from a char-LSTM model, generated one character at a time as char-rnn's
// sample does: the priming text is read first, then each next character is drawn from
// softmax(logits / T). A packed model (laq export) runs with the packed recurrence
// (train/packed_lstm.h); a checkpoint, which is all a full-precision run has, with its float
// weights (train/float_char_lstm.h). The same model, seed, temperature and priming text give
// the same text.
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>

#include "apps/commands.h"
#include "apps/options.h"
#include "engine/error.h"
#include "engine/rng.h"
#include "engine/threads.h"
#include "train/checkpoint.h"
#include "train/experiment.h"
#include "train/float_char_lstm.h"
#include "train/packed_lstm.h"
#include "train/packed_model.h"
#include "train/session.h"

namespace laq::apps {

int run_sample(int argc, char** argv) {
  std::string model, data_dir, prime = "\n";
  int64_t length = 500, seed = 1;
  double temperature = 1.0;
  po::options_description o("laq sample options");
  o.add_options()("help,h", "show this help")("model", po::value(&model)->required(), "a packed char-LSTM model written by laq export, or a char-LSTM run's checkpoint.h5 or best.h5")("length", po::value(&length)->default_value(length), "characters to generate")("temperature", po::value(&temperature)->default_value(temperature),
                                                                                                                                                                                                                                                                      "divides the logits: below 1 more conservative, above 1 more varied")("seed", po::value(&seed)->default_value(seed), "seed of the draws")("prime", po::value(&prime),
                                                                                                                                                                                                                                                                                                                                                                                                                "text read before sampling (default: a newline); every character must be in "
                                                                                                                                                                                                                                                                                                                                                                                                                "the corpus")("data", po::value(&data_dir), "dataset folder, for the vocabulary (default: the run's)");
  po::variables_map vm;
  if (!parse_or_help(argc, argv, o, vm,
                     "usage: laq sample --model MODEL.h5 [--length N] [--temperature T] [--seed S] [--prime TEXT]"))
    return 0;
  require(length >= 1, "length", length, "must be at least 1");
  require(std::isfinite(temperature) && temperature > 0, "temperature", temperature, "must be a positive number");
  require(!prime.empty(), "prime", prime, "must not be empty");

  engine::set_threads(1);  // one character at a time: too little work to split
  std::unique_ptr<train::PackedCharLstm> packed;
  std::unique_ptr<train::Session> session;
  std::unique_ptr<train::FloatCharLstm> floating;
  train::PackedCharLstm::State packed_state;
  train::RunConfig config;
  if (train::is_packed_model_file(model)) {
    packed = std::make_unique<train::PackedCharLstm>(train::PackedCharLstm::load(model));
    config = packed->config();
    packed_state = packed->initial_state();
  } else {
    config = train::read_checkpoint_config(model);
    if (train::experiment_network(config.experiment) != train::Network::char_lstm)
      throw Error(model + ": experiment " + config.experiment + " is not a char LSTM");
    session = std::make_unique<train::Session>(train::make_session(config));
    train::Progress progress;
    train::load_checkpoint(model, progress, session->state());
    floating = std::make_unique<train::FloatCharLstm>(*session->model);
  }
  const int64_t model_vocab = packed ? packed->vocab() : floating->vocab();
  const auto step = [&](int32_t token, std::vector<float>& logits) {
    if (packed) packed->step(token, packed_state, logits);
    else floating->step(token, logits);
  };
  if (!data_dir.empty()) config.data_dir = data_dir;
  const datasets::CharCorpus corpus = train::load_char_corpus(config);
  const datasets::ByteVocab& vocab = corpus.vocab;
  if (vocab.size() != model_vocab)
    throw Error(config.data_dir + ": its vocabulary has " + std::to_string(vocab.size()) + " characters, the model " +
                std::to_string(model_vocab));
  std::vector<int32_t> tokens;
  for (const char ch : prime) {
    const int32_t id = vocab.id[static_cast<uint8_t>(ch)];
    require(id >= 0, "prime", prime, "holds the byte " + std::to_string(int(static_cast<uint8_t>(ch))) + ", which the corpus never uses");
    tokens.push_back(id);
  }

  engine::Rng rng(static_cast<uint64_t>(seed));
  std::vector<float> logits;
  for (const int32_t t : tokens) step(t, logits);
  std::string text = prime;
  std::vector<double> p(model_vocab);
  for (int64_t n = 0; n < length; ++n) {
    double top = -std::numeric_limits<double>::infinity(), total = 0;
    for (int64_t k = 0; k < model_vocab; ++k) top = std::max(top, double(logits[k]) / temperature);
    for (int64_t k = 0; k < model_vocab; ++k) total += p[k] = std::exp(double(logits[k]) / temperature - top);
    double u = engine::uniform01(rng) * total;
    int32_t next = static_cast<int32_t>(model_vocab - 1);
    for (int64_t k = 0; k < model_vocab; ++k) {
      if (u < p[k]) {
        next = static_cast<int32_t>(k);
        break;
      }
      u -= p[k];
    }
    text.push_back(static_cast<char>(vocab.symbols[next]));
    step(next, logits);
  }
  std::cout << text << std::endl;
  return 0;
}

}  // namespace laq::apps
