#include "train/experiments/common.h"

#include <memory>
#include <string>
#include <system_error>

#include "engine/error.h"
#include "layers/lstm.h"
#include "train/option_error.h"

namespace laq::train::presets {
namespace {

// ids[begin, begin + n*t] as n windows: x = the t input ids (as floats, the models' input
// convention), y = the t next characters.
LabeledSet windows_from(const std::vector<int32_t>& ids, int64_t begin, int64_t n, int64_t t) {
  LabeledSet set;
  set.x = engine::Tensor({n, t});
  set.y.resize(static_cast<size_t>(n * t));
  for (int64_t i = 0; i < n * t; ++i) {
    set.x[i] = static_cast<float>(ids[static_cast<size_t>(begin + i)]);
    set.y[static_cast<size_t>(i)] = ids[static_cast<size_t>(begin + i + 1)];
  }
  set.targets_per_example = t;
  return set;
}

// Every window of a character stream as one example (the first `limit`, 0: all). With
// `whole_text`, the positions after the last full window become the set's tail window.
LabeledSet windows(const datasets::CharSequences& s, int64_t limit, bool whole_text) {
  const int64_t all = s.num_seq(), t = s.seq_len;
  if (limit > all)
    throw OptionError("train-size", std::to_string(limit),
                      "the training text has only " + std::to_string(all) + " windows of " + std::to_string(t) +
                          " characters");
  const int64_t n = limit > 0 ? limit : all;
  LabeledSet set = windows_from(s.ids, 0, n, t);
  const int64_t rest = static_cast<int64_t>(s.ids.size()) - 1 - n * t;  // targets no window holds
  if (whole_text && rest > 0) set.tail = std::make_shared<const LabeledSet>(windows_from(s.ids, n * t, 1, rest));
  return set;
}

}  // namespace

LabeledSet take(engine::Tensor x, std::vector<int32_t> y, int64_t limit) {
  if (limit > x.dim(0))
    throw OptionError("train-size", std::to_string(limit),
                      "the training set has only " + std::to_string(x.dim(0)) + " examples");
  if (limit > 0 && limit < x.dim(0)) {
    x = x.rows(0, limit);
    y.resize(limit);
  }
  return {std::move(x), std::move(y)};
}

int64_t training_images_after_validation(const RunConfig& config, int64_t n) {
  if (config.val_size < 1 || config.val_size >= n)
    throw OptionError("val-size", std::to_string(config.val_size),
                      "must be in 1.." + std::to_string(n - 1) + ": " + config.data_dir + "'s training files hold " +
                          std::to_string(n) + " images, and some must remain for training");
  return n - config.val_size;
}

void check_block_split(const std::filesystem::path& file, datasets::SplitFractions fractions, int64_t batch,
                       int64_t seq_len) {
  std::error_code ec;
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(file, ec));
  if (ec) return;  // the reader reports a missing or unreadable file
  try {
    datasets::char_split(bytes, fractions, batch, seq_len, file.string());
  } catch (const Error& e) {
    try {
      datasets::char_split(bytes, fractions, 1, seq_len, file.string());
    } catch (const Error&) {
      return;  // too small for any batch: the reader's error names the file
    }
    throw OptionError("batch", std::to_string(batch), e.what());
  }
}

std::unique_ptr<layers::Module> char_lstm_model(const RunConfig& config) {
  if (config.vocab < 1) throw Error(config.experiment + ": the vocabulary size is not set (it comes from the data)");
  return std::make_unique<layers::CharLstmModel>(config.vocab, 512, 5.0f);
}

ClassificationData char_lstm_data(const RunConfig& config) {
  const datasets::CharCorpus c = load_char_corpus(config);
  ClassificationData out;
  out.train = windows(c.train, config.train_size, false);
  out.val = windows(c.valid, 0, true);
  out.test = windows(c.test, 0, true);
  out.classes = c.vocab.size();
  return out;
}

}  // namespace laq::train::presets
