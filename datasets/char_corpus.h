#pragma once
// Character (byte) corpora for the LSTM language models (docs/algorithms.md §3.6, docs/formats.md §1.6):
// War and Peace, the Linux kernel, and PTB's word-level files read as characters.
//
// Contract:
//   - Files are read verbatim as bytes: no newline normalisation, '\r' is a symbol like any
//     other (War and Peace has CRLF line endings). The LAQ scripts are Python 2, so their
//     "characters" are bytes too.
//   - The vocabulary is the sorted set of distinct byte values of every split together
//     (train ∪ valid ∪ test), id = rank in that order (LAQ used Python set order, which does
//     not affect results).
//   - Every defect is a laq::Error naming the file: missing, unreadable, empty, too small.
//     Nothing larger than the file is allocated (its size is known before reading).
//
// The LAQ block split (load_char_corpus), in units of B·T characters:
//     units = floor(len / (B·T)),  n_tr = floor(units·f_tr),  n_va = floor(units·f_va),
//     n_te = units - n_tr - n_va  (fractions multiplied in double precision, as Python does)
//     train = [0, n_tr·B·T + 1)
//     valid = [n_tr·B·T, (n_tr+n_va)·B·T + 1)
//     test  = [(n_tr+n_va)·B·T, units·B·T + 1)       the tail after units·B·T + 1 is dropped
// The "+1" is the last target. One deviation, only when B·T divides len exactly: LAQ's slice
// would then silently lose the test split's last target; here units = floor((len-1)/(B·T))
// so that every split keeps it. Each split must get at least one unit.
//
// Windows (CharSequences): a split of length L holds num_seq = (L - 1) / T non-overlapping
// windows; window p has inputs ids[pT, pT+T) and targets ids[pT+1, pT+T+1). For the LAQ
// splits L = n·B·T + 1, so num_seq = n·B exactly (the same as LAQ's Python 2 len/T). For whole
// files (PTB in LAQ mode) (L - 1) / T equals LAQ's floor(L / T) except when T divides L, where
// LAQ's last window would have no last target; it is dropped here.
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace laq::datasets {

// The bytes of a file, verbatim. Throws laq::Error if it is missing, not a regular file,
// unreadable or empty.
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path);

struct ByteVocab {
  std::vector<uint8_t> symbols;   // sorted distinct bytes; symbols[id] is the byte of id
  std::array<int32_t, 256> id{};  // id[byte], -1 for bytes not in the vocabulary
  int64_t size() const { return static_cast<int64_t>(symbols.size()); }
};
// The sorted distinct bytes of all the texts together.
ByteVocab byte_vocab(std::span<const std::span<const uint8_t>> texts);

// One split: its characters as ids, windows of seq_len.
struct CharSequences {
  std::vector<int32_t> ids;
  int64_t seq_len = 0;
  int64_t begin = 0, end = 0;  // byte range [begin, end) of the source file

  int64_t num_seq() const;  // (ids.size() - 1) / seq_len
  // Windows seqs[0], seqs[1], ... into x and y, each [seqs.size(), seq_len] row-major (the
  // [B, T] layout CharLstmModel takes). Throws on an index outside [0, num_seq()).
  void gather(std::span<const int64_t> seqs, std::span<int32_t> x, std::span<int32_t> y) const;
};

struct CharCorpus {
  ByteVocab vocab;
  CharSequences train, valid, test;
  int64_t file_bytes = 0;  // total bytes read (all files)
  int64_t units = 0;       // blocks of B·T (LAQ split only; 0 for whole-file splits)
};

struct SplitFractions {
  double train, valid;  // test gets the remaining units
};
inline constexpr SplitFractions kWarPeaceFractions{0.8, 0.1};
inline constexpr SplitFractions kLinuxFractions{0.9, 0.05};

// The byte ranges of the LAQ split of a text of `length` bytes (see above). Throws laq::Error
// (naming `what`) if a split would be empty.
struct CharSplit {
  int64_t units = 0;
  int64_t train_begin = 0, train_end = 0, valid_begin = 0, valid_end = 0, test_begin = 0, test_end = 0;
};
CharSplit char_split(int64_t length, SplitFractions fractions, int64_t batch, int64_t seq_len,
                     const std::string& what = "text");

// War and Peace (kWarPeaceFractions) or Linux (kLinuxFractions): one file, LAQ block split,
// vocabulary from the whole file.
CharCorpus load_char_corpus(const std::filesystem::path& path, SplitFractions fractions, int64_t batch = 100,
                            int64_t seq_len = 100);

// Three files used whole as train / valid / test (PTB in LAQ mode), vocabulary from all three.
CharCorpus load_char_files(const std::filesystem::path& train, const std::filesystem::path& valid,
                           const std::filesystem::path& test, int64_t seq_len = 100);

}  // namespace laq::datasets
