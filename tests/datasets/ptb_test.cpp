// PTB readers (docs/formats.md §1.5, §4) on 3-line files in the exact style of Mikolov's files:
// word level (leading and trailing space per line, <unk> and N), character level ('_' word
// boundaries, <unk> whole), and the LAQ raw-byte mode.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datasets/ptb.h"
#include "idx_fixtures.h"

namespace laq::test {
namespace {

void write_text(const fs::path& p, const std::string& s) { write_raw(p, std::vector<uint8_t>(s.begin(), s.end())); }

const std::string kTrain = " the cat sat on the mat \n <unk> bought N shares \n the <unk> is N \n";
const std::string kValid = " the cat is N \n";
const std::string kTest = " <unk> sat \n";

void write_words(const TempDir& dir) {
  write_text(dir / "ptb.train.txt", kTrain);
  write_text(dir / "ptb.valid.txt", kValid);
  write_text(dir / "ptb.test.txt", kTest);
}

std::vector<std::string> decode(const datasets::TokenCorpus& c, const std::vector<int32_t>& ids) {
  std::vector<std::string> out;
  for (int32_t id : ids) out.push_back(c.vocab.at(id));
  return out;
}

TEST(PtbWords, IdsEosAndVocabularyOrder) {
  TempDir dir;
  write_words(dir);
  const auto c = datasets::load_ptb_words(dir.path());
  // By train frequency, ties byte-wise: <eos> 3, the 3, <unk> 2, N 2, then the singletons.
  const std::vector<std::string> vocab{"<eos>", "the", "<unk>", "N", "bought", "cat",
                                       "is", "mat", "on", "sat", "shares"};
  EXPECT_EQ(c.vocab, vocab);
  EXPECT_EQ(c.eos, 0);
  EXPECT_EQ(c.id("N"), 3);
  EXPECT_EQ(c.train, (std::vector<int32_t>{1, 5, 9, 8, 1, 7, 0, 2, 4, 3, 10, 0, 1, 2, 6, 3, 0}));
  EXPECT_EQ(decode(c, c.valid), (std::vector<std::string>{"the", "cat", "is", "N", "<eos>"}));
  EXPECT_EQ(decode(c, c.test), (std::vector<std::string>{"<unk>", "sat", "<eos>"}));
  EXPECT_THROW(c.id("dog"), Error);
}

TEST(PtbWords, UnterminatedLastLineAndBlankLines) {
  TempDir dir;
  write_text(dir / "ptb.train.txt", " a b \n\n c");  // blank line -> lone <eos>; last line counts
  write_text(dir / "ptb.valid.txt", " a \n");
  write_text(dir / "ptb.test.txt", " c \n");
  const auto c = datasets::load_ptb_words(dir.path());
  EXPECT_EQ(decode(c, c.train), (std::vector<std::string>{"a", "b", "<eos>", "<eos>", "c", "<eos>"}));
}

TEST(PtbWords, OutOfVocabularyNamesFileAndLine) {
  TempDir dir;
  write_words(dir);
  write_text(dir / "ptb.test.txt", " the cat \n the dog sat \n");
  expect_error([&] { datasets::load_ptb_words(dir.path()); }, {"ptb.test.txt:2", "'dog'", "ptb.train.txt"});
}

TEST(PtbWords, VocabularyLimit) {
  TempDir dir;
  std::string train;
  for (int i = 0; i < 9999; ++i) train += " w" + std::to_string(i) + " \n";
  write_text(dir / "ptb.train.txt", train);
  write_text(dir / "ptb.valid.txt", " w1 \n");
  write_text(dir / "ptb.test.txt", " w2 \n");
  EXPECT_EQ(datasets::load_ptb_words(dir.path()).size(), 10000);  // 9,999 words + <eos>
  write_text(dir / "ptb.train.txt", train + " one_more \n");
  expect_error([&] { datasets::load_ptb_words(dir.path()); }, {"ptb.train.txt", "10001 distinct words"});
}

TEST(PtbWords, MissingFiles) {
  TempDir dir;
  expect_error([&] { datasets::load_ptb_words(dir.path()); }, {"ptb.train.txt", "no such file"});
  write_text(dir / "ptb.train.txt", kTrain);
  write_text(dir / "ptb.valid.txt", kValid);
  expect_error([&] { datasets::load_ptb_words(dir.path()); }, {"ptb.test.txt", "no such file"});
}

TEST(PtbChars, TokensUnderscoreUnkAndEndOfLine) {
  TempDir dir;
  write_text(dir / "ptb.char.train.txt", "c a t _ s a t \nt h e _ <unk> _ N \na _ c a t \n");
  write_text(dir / "ptb.char.valid.txt", "s a t _ N \n");
  write_text(dir / "ptb.char.test.txt", "<unk> \n");
  const auto c = datasets::load_ptb_chars(dir.path());
  ASSERT_EQ(c.train.size(), 22u);  // 7 + 7 + 5 tokens, one <eos> per line
  EXPECT_EQ(decode(c, c.train),
            (std::vector<std::string>{"c", "a", "t", "_", "s", "a", "t", "<eos>", "t", "h", "e", "_", "<unk>", "_",
                                      "N", "<eos>", "a", "_", "c", "a", "t", "<eos>"}));
  // Counts: a 4, t 4, _ 4, <eos> 3, c 2, then singletons: ties byte-wise ("<" < "N" < "_" < "a").
  EXPECT_EQ(c.vocab[0], "_");
  EXPECT_EQ(c.vocab[1], "a");
  EXPECT_EQ(c.vocab[2], "t");
  EXPECT_EQ(c.vocab[3], "<eos>");
  EXPECT_EQ(c.vocab[4], "c");
  EXPECT_EQ(c.vocab[5], "<unk>");
  EXPECT_EQ(c.vocab[6], "N");
  EXPECT_EQ(c.size(), 10);  // _ a t <eos> c <unk> N e h s
  EXPECT_EQ(decode(c, c.valid), (std::vector<std::string>{"s", "a", "t", "_", "N", "<eos>"}));
  EXPECT_EQ(decode(c, c.test), (std::vector<std::string>{"<unk>", "<eos>"}));
  write_text(dir / "ptb.char.valid.txt", "s a t \nz \n");
  expect_error([&] { datasets::load_ptb_chars(dir.path()); }, {"ptb.char.valid.txt:2", "'z'"});
}

TEST(PtbBytes, LaqModeReadsTheWordFilesAsCharacters) {
  TempDir dir;
  write_words(dir);
  const auto c = datasets::load_ptb_bytes(dir.path(), 5);
  // Distinct bytes of all three files, sorted.
  const std::string expected = "\n <>Nabceghikmnorstu";
  std::string got(c.vocab.symbols.begin(), c.vocab.symbols.end());
  EXPECT_EQ(got, expected);
  EXPECT_EQ(c.file_bytes, static_cast<int64_t>(kTrain.size() + kValid.size() + kTest.size()));
  EXPECT_EQ(c.train.num_seq(), static_cast<int64_t>((kTrain.size() - 1) / 5));
  EXPECT_EQ(c.test.num_seq(), static_cast<int64_t>((kTest.size() - 1) / 5));
  std::vector<int32_t> x(5), y(5);
  c.train.gather(std::vector<int64_t>{1}, x, y);
  std::string xs, ys;
  for (int i = 0; i < 5; ++i) {
    xs += static_cast<char>(c.vocab.symbols[x[i]]);
    ys += static_cast<char>(c.vocab.symbols[y[i]]);
  }
  EXPECT_EQ(xs, kTrain.substr(5, 5));
  EXPECT_EQ(ys, kTrain.substr(6, 5));
  expect_error([&] { datasets::load_ptb_bytes(dir.path(), 12); }, {"ptb.test.txt", "too small", "12 bytes"});
}

}  // namespace
}  // namespace laq::test
