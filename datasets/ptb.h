#pragma once
// Penn Treebank, Mikolov's simple-examples/data files (docs/formats.md §1.5, §4).
//
// load_ptb_words(dir): ptb.train.txt, ptb.valid.txt, ptb.test.txt.
//   - Each line ("\n"-terminated; a final line without "\n" counts too) is split on ASCII
//     whitespace and followed by "<eos>" (the TF/PyTorch tutorial convention; the files have
//     no <eos> of their own). "<unk>" and "N" are ordinary words of the files.
//   - Vocabulary from train only, at most kPtbWords = 10,000 entries (exactly 10,000 on the
//     real data: 9,999 word types + <eos>), else laq::Error.
//   - Vocabulary order (decided here): by frequency in train, most frequent first; ties in
//     byte-wise lexicographic order of the words. Deterministic and independent of hashing.
//   - A word of valid/test that train lacks is an error naming the file and its 1-based line
//     (the real files have none; mapping to <unk> would hide a wrong file).
// load_ptb_chars(dir): ptb.char.train.txt, ptb.char.valid.txt, ptb.char.test.txt, the same
//   data written as space-separated characters with '_' for word boundaries. Same rules:
//   tokens are the space-separated items ("_" is one token, "<unk>" is one token), "<eos>"
//   ends each line, vocabulary from train in the same order, no size limit, OOV is an error.
// load_ptb_bytes(dir, T): the LAQ mode (docs/algorithms.md §3.6): the three word-level files read as raw
//   byte streams (LAQ's data/ptb/{train,valid,test}.txt are copies of ptb.*.txt), vocabulary =
//   sorted distinct bytes of all three, windows of T characters (datasets/char_corpus.h).
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "datasets/char_corpus.h"

namespace laq::datasets {

inline constexpr int64_t kPtbWords = 10000;
inline constexpr const char* kEos = "<eos>";

struct TokenCorpus {
  std::vector<std::string> vocab;                  // id -> token
  std::unordered_map<std::string, int32_t> index;  // token -> id
  std::vector<int32_t> train, valid, test;         // id streams, <eos> included
  int32_t eos = -1;

  int64_t size() const { return static_cast<int64_t>(vocab.size()); }
  int32_t id(const std::string& token) const;  // throws laq::Error if absent
};

TokenCorpus load_ptb_words(const std::filesystem::path& dir);
TokenCorpus load_ptb_chars(const std::filesystem::path& dir);
CharCorpus load_ptb_bytes(const std::filesystem::path& dir, int64_t seq_len = 100);

}  // namespace laq::datasets
