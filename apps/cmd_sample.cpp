// laq sample: text from a packed char-LSTM model (laq export), generated one character at a
// time with the packed recurrence (train/packed_lstm.h), as char-rnn's sample does: the
// priming text is read first, then each next character is drawn from softmax(logits / T).
// The same model, seed, temperature and priming text give the same text.
#include <cmath>
#include <iostream>
#include <limits>

#include "apps/commands.h"
#include "apps/options.h"
#include "engine/error.h"
#include "engine/rng.h"
#include "engine/threads.h"
#include "train/experiment.h"
#include "train/packed_lstm.h"

namespace laq::apps {

int run_sample(int argc, char** argv) {
  std::string model, data_dir, prime = "\n";
  int64_t length = 500, seed = 1;
  double temperature = 1.0;
  po::options_description o("laq sample options");
  o.add_options()("help,h", "show this help")("model", po::value(&model)->required(), "a packed char-LSTM model written by laq export")("length", po::value(&length)->default_value(length), "characters to generate")("temperature", po::value(&temperature)->default_value(temperature),
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

  const train::PackedCharLstm net = train::PackedCharLstm::load(model);
  train::RunConfig config = net.config();
  if (!data_dir.empty()) config.data_dir = data_dir;
  engine::set_threads(1);  // one character at a time: too little work to split
  const datasets::CharCorpus corpus = train::load_char_corpus(config);
  const datasets::ByteVocab& vocab = corpus.vocab;
  if (vocab.size() != net.vocab())
    throw Error(config.data_dir + ": its vocabulary has " + std::to_string(vocab.size()) + " characters, the model " +
                std::to_string(net.vocab()));
  std::vector<int32_t> tokens;
  for (const char ch : prime) {
    const int32_t id = vocab.id[static_cast<uint8_t>(ch)];
    require(id >= 0, "prime", prime, "holds the byte " + std::to_string(int(static_cast<uint8_t>(ch))) + ", which the corpus never uses");
    tokens.push_back(id);
  }

  engine::Rng rng(static_cast<uint64_t>(seed));
  train::PackedCharLstm::State state = net.initial_state();
  std::vector<float> logits;
  for (const int32_t t : tokens) net.step(t, state, logits);
  std::string text = prime;
  std::vector<double> p(net.vocab());
  for (int64_t n = 0; n < length; ++n) {
    double top = -std::numeric_limits<double>::infinity(), total = 0;
    for (int64_t k = 0; k < net.vocab(); ++k) top = std::max(top, double(logits[k]) / temperature);
    for (int64_t k = 0; k < net.vocab(); ++k) total += p[k] = std::exp(double(logits[k]) / temperature - top);
    double u = engine::uniform01(rng) * total;
    int32_t next = static_cast<int32_t>(net.vocab() - 1);
    for (int64_t k = 0; k < net.vocab(); ++k) {
      if (u < p[k]) {
        next = static_cast<int32_t>(k);
        break;
      }
      u -= p[k];
    }
    text.push_back(static_cast<char>(vocab.symbols[next]));
    net.step(next, state, logits);
  }
  std::cout << text << std::endl;
  return 0;
}

}  // namespace laq::apps
