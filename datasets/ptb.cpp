#include "datasets/ptb.h"

#include <algorithm>
#include <string_view>

#include "engine/error.h"

namespace laq::datasets {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Calls on_token(token, line) for every whitespace-separated token and on_token("<eos>", line)
// at the end of every line (1-based line numbers).
template <class F>
void tokenize(const std::vector<uint8_t>& bytes, F&& on_token) {
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  int64_t line = 1;
  size_t i = 0;
  while (i < text.size()) {
    const size_t nl = std::min(text.find('\n', i), text.size());
    size_t j = i;
    while (j < nl) {
      while (j < nl && is_space(text[j])) ++j;
      size_t k = j;
      while (k < nl && !is_space(text[k])) ++k;
      if (k > j) on_token(text.substr(j, k - j), line);
      j = k;
    }
    on_token(std::string_view(kEos), line);
    i = nl + 1;
    ++line;
  }
}

TokenCorpus load_tokens(const std::filesystem::path& dir, const std::string& prefix, int64_t max_vocab) {
  const std::filesystem::path paths[3] = {dir / (prefix + "train.txt"), dir / (prefix + "valid.txt"),
                                          dir / (prefix + "test.txt")};
  const std::vector<uint8_t> train_bytes = read_file_bytes(paths[0]);

  // Vocabulary: train tokens by count (descending), ties in byte-wise order.
  std::unordered_map<std::string, int64_t> counts;
  tokenize(train_bytes, [&](std::string_view tok, int64_t) { ++counts[std::string(tok)]; });
  std::vector<std::pair<std::string, int64_t>> order(counts.begin(), counts.end());
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (max_vocab > 0 && static_cast<int64_t>(order.size()) > max_vocab)
    throw Error(paths[0].string() + ": " + std::to_string(order.size()) + " distinct words (with " + kEos +
                "), more than PTB's " + std::to_string(max_vocab) + ": not the preprocessed PTB file");
  TokenCorpus c;
  for (auto& [word, count] : order) {
    c.index.emplace(word, static_cast<int32_t>(c.vocab.size()));
    c.vocab.push_back(word);
  }
  c.eos = c.index.at(kEos);

  std::vector<int32_t>* out[3] = {&c.train, &c.valid, &c.test};
  for (int s = 0; s < 3; ++s) {
    const std::vector<uint8_t> bytes = s == 0 ? std::vector<uint8_t>() : read_file_bytes(paths[s]);
    const std::vector<uint8_t>& b = s == 0 ? train_bytes : bytes;
    tokenize(b, [&](std::string_view tok, int64_t line) {
      const auto it = c.index.find(std::string(tok));
      if (it == c.index.end())
        throw Error(paths[s].string() + ":" + std::to_string(line) + ": '" + std::string(tok) +
                    "' is not in the vocabulary of " + paths[0].filename().string());
      out[s]->push_back(it->second);
    });
  }
  return c;
}

}  // namespace

int32_t TokenCorpus::id(const std::string& token) const {
  const auto it = index.find(token);
  if (it == index.end()) throw Error("'" + token + "' is not in the vocabulary");
  return it->second;
}

TokenCorpus load_ptb_words(const std::filesystem::path& dir) { return load_tokens(dir, "ptb.", kPtbWords); }

TokenCorpus load_ptb_chars(const std::filesystem::path& dir) { return load_tokens(dir, "ptb.char.", 0); }

CharCorpus load_ptb_bytes(const std::filesystem::path& dir, int64_t seq_len) {
  return load_char_files(dir / "ptb.train.txt", dir / "ptb.valid.txt", dir / "ptb.test.txt", seq_len);
}

}  // namespace laq::datasets
