// Char corpora (docs/formats.md §1.6, §4): the LAQ block split at the real corpora's sizes and for
// several (B, T), the dropped tail, '\r' kept verbatim, the sorted byte vocabulary, windows
// and targets, and broken files. Every file is generated in a temporary directory.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datasets/char_corpus.h"
#include "idx_fixtures.h"

namespace laq::test {
namespace {

using datasets::CharCorpus;
using datasets::CharSplit;

// Deterministic text of n bytes: lines of varying length over a 30-symbol alphabet, CRLF
// endings, plus a few high bytes.
std::vector<uint8_t> crlf_text(int64_t n) {
  std::vector<uint8_t> b(static_cast<size_t>(n));
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz .,'";
  int64_t col = 0, line = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (col == 60 + line % 11) {
      b[i] = '\r';
      col = -1;
    } else if (col == -1) {
      b[i] = '\n';
      col = 0;
      ++line;
    } else {
      b[i] = i % 9973 == 0 ? 0xE9 : static_cast<uint8_t>(alphabet[(i * 7 + i / 13) % alphabet.size()]);
      ++col;
    }
  }
  return b;
}

void expect_split(const CharSplit& s, int64_t units, int64_t train_end, int64_t valid_begin, int64_t valid_end,
                  int64_t test_begin, int64_t test_end) {
  EXPECT_EQ(s.units, units);
  EXPECT_EQ(s.train_begin, 0);
  EXPECT_EQ(s.train_end, train_end);
  EXPECT_EQ(s.valid_begin, valid_begin);
  EXPECT_EQ(s.valid_end, valid_end);
  EXPECT_EQ(s.test_begin, test_begin);
  EXPECT_EQ(s.test_end, test_end);
}

// Loads a generated file of the real corpus's size and checks offsets, lengths, windows and
// that the ids are the file's bytes at those offsets.
void check_real_size(int64_t size, datasets::SplitFractions f, int64_t train_end, int64_t valid_begin,
                     int64_t valid_end, int64_t test_begin, int64_t test_end) {
  TempDir dir;
  const auto bytes = crlf_text(size);
  write_raw(dir / "corpus.txt", bytes);
  const CharCorpus c = datasets::load_char_corpus(dir / "corpus.txt", f, 100, 100);
  EXPECT_EQ(c.file_bytes, size);
  EXPECT_EQ(c.train.begin, 0);
  EXPECT_EQ(c.train.end, train_end);
  EXPECT_EQ(c.valid.begin, valid_begin);
  EXPECT_EQ(c.valid.end, valid_end);
  EXPECT_EQ(c.test.begin, test_begin);
  EXPECT_EQ(c.test.end, test_end);
  for (const auto* s : {&c.train, &c.valid, &c.test}) {
    ASSERT_EQ(static_cast<int64_t>(s->ids.size()), s->end - s->begin);
    EXPECT_EQ(s->num_seq(), (s->end - s->begin - 1) / 100);
    EXPECT_EQ(s->num_seq() % 100, 0);  // whole batches of 100 sequences
    for (int64_t k : {int64_t{0}, int64_t{1}, s->end - s->begin - 1})
      EXPECT_EQ(c.vocab.symbols[s->ids[k]], bytes[s->begin + k]);
  }
  EXPECT_EQ(c.units * 10000 + 1, test_end);
}

TEST(CharCorpus, WarAndPeaceSizeSplit) {
  const CharSplit s = datasets::char_split(3258246, datasets::kWarPeaceFractions, 100, 100);
  expect_split(s, 325, 2600001, 2600000, 2920001, 2920000, 3250001);
  check_real_size(3258246, datasets::kWarPeaceFractions, 2600001, 2600000, 2920001, 2920000, 3250001);
}

TEST(CharCorpus, LinuxSizeSplit) {
  const CharSplit s = datasets::char_split(6206996, datasets::kLinuxFractions, 100, 100);
  expect_split(s, 620, 5580001, 5580000, 5890001, 5890000, 6200001);
  check_real_size(6206996, datasets::kLinuxFractions, 5580001, 5580000, 5890001, 5890000, 6200001);
}

TEST(CharCorpus, SplitForSeveralBatchShapes) {
  // 123,457 bytes; values from the LAQ formula (units, n_tr, n_va, n_te noted).
  expect_split(datasets::char_split(123457, datasets::kWarPeaceFractions, 100, 100),  // 12: 9/1/2
               12, 90001, 90000, 100001, 100000, 120001);
  expect_split(datasets::char_split(123457, datasets::kWarPeaceFractions, 10, 50),  // 246: 196/24/26
               246, 98001, 98000, 110001, 110000, 123001);
  expect_split(datasets::char_split(123457, datasets::kLinuxFractions, 32, 64),  // 60: 54/3/3
               60, 110593, 110592, 116737, 116736, 122881);
}

TEST(CharCorpus, DroppedTailAndExactMultiple) {
  // The 3,456 bytes after 120,001 are never used.
  TempDir dir;
  const auto bytes = crlf_text(123457);
  write_raw(dir / "t.txt", bytes);
  const CharCorpus c = datasets::load_char_corpus(dir / "t.txt", datasets::kWarPeaceFractions, 100, 100);
  EXPECT_EQ(c.test.end, 120001);
  EXPECT_EQ(c.train.num_seq(), 900);
  EXPECT_EQ(c.valid.num_seq(), 100);
  EXPECT_EQ(c.test.num_seq(), 200);
  // When B*T divides the length, the last block would lack its final target: one block less.
  const CharSplit s = datasets::char_split(120000, datasets::kWarPeaceFractions, 100, 100);
  EXPECT_EQ(s.units, 11);
  EXPECT_EQ(s.test_end, 110001);
  EXPECT_EQ(datasets::char_split(120001, datasets::kWarPeaceFractions, 100, 100).units, 12);
}

TEST(CharCorpus, CarriageReturnsAreKeptAndTheVocabularyIsSorted) {
  TempDir dir;
  const auto bytes = crlf_text(123457);
  write_raw(dir / "t.txt", bytes);
  const CharCorpus c = datasets::load_char_corpus(dir / "t.txt", datasets::kWarPeaceFractions, 10, 50);
  // 30 symbols + \r + \n + 0xE9.
  ASSERT_EQ(c.vocab.size(), 33);
  EXPECT_EQ(c.vocab.symbols.front(), '\n');
  EXPECT_EQ(c.vocab.symbols[1], '\r');
  EXPECT_EQ(c.vocab.symbols.back(), 0xE9);
  for (int64_t i = 1; i < c.vocab.size(); ++i) EXPECT_LT(c.vocab.symbols[i - 1], c.vocab.symbols[i]);
  for (int64_t i = 0; i < c.vocab.size(); ++i) EXPECT_EQ(c.vocab.id[c.vocab.symbols[i]], i);
  EXPECT_EQ(c.vocab.id['A'], -1);
  // Decoding the training split gives the file's bytes back, CR LF pairs included.
  int64_t crlf = 0;
  for (size_t k = 0; k < c.train.ids.size(); ++k) {
    ASSERT_EQ(c.vocab.symbols[c.train.ids[k]], bytes[k]) << k;
    if (k > 0 && bytes[k - 1] == '\r' && bytes[k] == '\n') ++crlf;
  }
  EXPECT_GT(crlf, 1000);
}

TEST(CharCorpus, WindowsAndTargets) {
  TempDir dir;
  write_raw(dir / "t.txt", crlf_text(123457));
  const CharCorpus c = datasets::load_char_corpus(dir / "t.txt", datasets::kWarPeaceFractions, 10, 50);
  const auto& v = c.valid;  // [98000, 110001): 12,001 ids, 240 windows of 50
  ASSERT_EQ(v.num_seq(), 240);
  const std::vector<int64_t> seqs{239, 0, 7};
  std::vector<int32_t> x(3 * 50), y(3 * 50);
  v.gather(seqs, x, y);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t t = 0; t < 50; ++t) {
      EXPECT_EQ(x[i * 50 + t], v.ids[seqs[i] * 50 + t]);
      EXPECT_EQ(y[i * 50 + t], v.ids[seqs[i] * 50 + t + 1]);
    }
  EXPECT_EQ(y[49], v.ids.back());  // the last window's last target is the split's "+1" character
  std::vector<int32_t> small(50);
  expect_error([&] { v.gather(std::vector<int64_t>{240}, small, small); }, {"window 240", "[0, 240)"});
  expect_error([&] { v.gather(std::vector<int64_t>{0, 1}, small, small); }, {"2 x 50"});
}

TEST(CharCorpus, WholeFiles) {
  TempDir dir;
  write_raw(dir / "a", {'a', 'b', 'c', 'd', 'e', 'f', 'g'});
  write_raw(dir / "b", {'x', 'a', 'a', 'a'});
  write_raw(dir / "c", {'\r', '\n', 'a', 'b', 'c', 'd'});
  const CharCorpus c = datasets::load_char_files(dir / "a", dir / "b", dir / "c", 3);
  EXPECT_EQ(c.vocab.size(), 10);  // \n \r a b c d e f g x
  EXPECT_EQ(c.file_bytes, 17);
  EXPECT_EQ(c.train.num_seq(), 2);  // (7-1)/3
  EXPECT_EQ(c.valid.num_seq(), 1);  // (4-1)/3: T divides nothing here, the last window's target exists
  EXPECT_EQ(c.test.num_seq(), 1);   // (6-1)/3 = 1 (floor(6/3) = 2 would lack the last target)
  EXPECT_EQ(c.test.ids[0], c.vocab.id['\r']);
  expect_error([&] { datasets::load_char_files(dir / "a", dir / "b", dir / "c", 4); }, {"/b", "too small"});
}

TEST(CharCorpus, Errors) {
  TempDir dir;
  expect_error([&] { datasets::load_char_corpus(dir / "missing.txt", datasets::kWarPeaceFractions); },
               {"missing.txt", "no such file"});
  write_raw(dir / "empty.txt", {});
  expect_error([&] { datasets::load_char_corpus(dir / "empty.txt", datasets::kWarPeaceFractions); },
               {"empty.txt", "empty"});
  write_raw(dir / "small.txt", crlf_text(95000));  // 9 blocks: valid gets floor(0.9) = 0
  expect_error([&] { datasets::load_char_corpus(dir / "small.txt", datasets::kWarPeaceFractions); },
               {"small.txt", "too small", "95000 bytes", "9 blocks", "7/0/2"});
  expect_error([&] { datasets::load_char_corpus(dir.path(), datasets::kWarPeaceFractions); },
               {"not a regular file"});
  expect_error([&] { datasets::char_split(1000, {0.8, 0.3}, 1, 1); }, {"fractions"});
  expect_error([&] { datasets::char_split(1000, datasets::kLinuxFractions, 0, 1); }, {"batch"});
}

}  // namespace
}  // namespace laq::test
