// Text readers: the LAQ block split of one character corpus, the three-file character
// corpus, and PTB's word and character token files. Input: byte 0 sets the window length
// (1..8), byte 1 the batch (1..4); the rest is train, valid and test separated by NUL bytes
// (a missing part is an empty file, which the readers must refuse cleanly).
#include <cstdint>
#include <string>

#include "datasets/char_corpus.h"
#include "datasets/ptb.h"
#include "fuzz_files.h"

namespace {

void check_windows(const laq::datasets::CharSequences& s, int64_t vocab) {
  for (int32_t id : s.ids) laq::fuzz::require(id >= 0 && id < vocab, "character id outside the vocabulary");
  std::vector<int64_t> all(static_cast<size_t>(s.num_seq()));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  std::vector<int32_t> x(all.size() * static_cast<size_t>(s.seq_len)), y(x.size());
  s.gather(all, x, y);
}

void check_tokens(const laq::datasets::TokenCorpus& c) {
  for (const auto* split : {&c.train, &c.valid, &c.test})
    for (int32_t id : *split) laq::fuzz::require(id >= 0 && id < c.size(), "token id outside the vocabulary");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace laq;
  if (size < 2) return 0;
  const int64_t seq_len = 1 + (data[0] & 7);
  const int64_t batch = 1 + (data[1] & 3);
  const std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  std::string parts[3];
  size_t at = 0;
  for (int i = 0; i < 3 && at <= rest.size(); ++i) {
    const size_t nul = i < 2 ? rest.find('\0', at) : std::string::npos;
    const size_t end = nul == std::string::npos ? rest.size() : nul;
    parts[i] = rest.substr(at, end - at);
    at = end + 1;
  }
  const auto& dir = fuzz::scratch();
  const char* names[3] = {"train.txt", "valid.txt", "test.txt"};
  for (int i = 0; i < 3; ++i) {
    const auto* p = reinterpret_cast<const uint8_t*>(parts[i].data());
    dir.write(std::string("ptb.") + names[i], p, parts[i].size());
    dir.write(std::string("ptb.char.") + names[i], p, parts[i].size());
  }
  const auto& d = dir.path();

  fuzz::expect_clean([&] {
    const auto c = datasets::load_char_corpus(d / "ptb.train.txt", {0.5, 0.25}, batch, seq_len);
    for (const auto* s : {&c.train, &c.valid, &c.test}) check_windows(*s, c.vocab.size());
  });
  fuzz::expect_clean([&] {
    const auto c = datasets::load_ptb_bytes(d, seq_len);
    for (const auto* s : {&c.train, &c.valid, &c.test}) check_windows(*s, c.vocab.size());
  });
  fuzz::expect_clean([&] { check_tokens(datasets::load_ptb_words(d)); });
  fuzz::expect_clean([&] { check_tokens(datasets::load_ptb_chars(d)); });
  return 0;
}
