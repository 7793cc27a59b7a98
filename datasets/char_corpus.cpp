#include "datasets/char_corpus.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <system_error>

#include "engine/error.h"

namespace laq::datasets {

std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(file + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(file + ": not a regular file");
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(file + ": cannot stat (" + ec.message() + ")");
  if (size == 0) throw Error(file + ": file is empty");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(file + ": cannot open for reading");
  std::vector<uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size)
    throw Error(file + ": read " + std::to_string(in.gcount()) + " of " + std::to_string(size) + " bytes");
  return bytes;
}

ByteVocab byte_vocab(std::span<const std::span<const uint8_t>> texts) {
  std::array<bool, 256> seen{};
  for (auto text : texts)
    for (uint8_t c : text) seen[c] = true;
  ByteVocab v;
  v.id.fill(-1);
  for (int c = 0; c < 256; ++c)
    if (seen[c]) {
      v.id[c] = static_cast<int32_t>(v.symbols.size());
      v.symbols.push_back(static_cast<uint8_t>(c));
    }
  return v;
}

int64_t CharSequences::num_seq() const {
  return ids.empty() || seq_len < 1 ? 0 : (static_cast<int64_t>(ids.size()) - 1) / seq_len;
}

void CharSequences::gather(std::span<const int64_t> seqs, std::span<int32_t> x, std::span<int32_t> y) const {
  const int64_t n = static_cast<int64_t>(seqs.size()), T = seq_len, count = num_seq();
  if (static_cast<int64_t>(x.size()) != n * T || static_cast<int64_t>(y.size()) != n * T)
    throw Error("CharSequences::gather: x and y must hold " + std::to_string(n) + " x " + std::to_string(T) +
                " ids, got " + std::to_string(x.size()) + " and " + std::to_string(y.size()));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t p = seqs[i];
    if (p < 0 || p >= count)
      throw Error("CharSequences::gather: window " + std::to_string(p) + " outside [0, " + std::to_string(count) + ")");
    const int32_t* src = ids.data() + p * T;
    std::copy(src, src + T, x.begin() + i * T);
    std::copy(src + 1, src + T + 1, y.begin() + i * T);
  }
}

CharSplit char_split(int64_t length, SplitFractions f, int64_t batch, int64_t seq_len, const std::string& what) {
  if (batch < 1 || seq_len < 1)
    throw Error(what + ": batch and sequence length must be >= 1, got " + std::to_string(batch) + " and " +
                std::to_string(seq_len));
  if (!(f.train > 0 && f.valid > 0 && f.train + f.valid < 1))
    throw Error(what + ": split fractions must be positive and leave a test part, got " + std::to_string(f.train) +
                " / " + std::to_string(f.valid));
  const int64_t block = batch * seq_len;
  CharSplit s;
  // floor(len / block), or one less when block divides len (the last target must exist).
  s.units = length < 1 ? 0 : (length - 1) / block;
  const auto n_tr = static_cast<int64_t>(std::floor(double(s.units) * f.train));
  const auto n_va = static_cast<int64_t>(std::floor(double(s.units) * f.valid));
  const int64_t n_te = s.units - n_tr - n_va;
  if (n_tr < 1 || n_va < 1 || n_te < 1)
    throw Error(what + ": too small for the split: " + std::to_string(length) + " bytes give " +
                std::to_string(s.units) + " blocks of " + std::to_string(batch) + "x" + std::to_string(seq_len) +
                " characters, split " + std::to_string(n_tr) + "/" + std::to_string(n_va) + "/" +
                std::to_string(n_te) + "; every split needs at least one block");
  s.train_begin = 0;
  s.train_end = n_tr * block + 1;
  s.valid_begin = n_tr * block;
  s.valid_end = (n_tr + n_va) * block + 1;
  s.test_begin = (n_tr + n_va) * block;
  s.test_end = s.units * block + 1;
  return s;
}

namespace {

CharSequences make_sequences(std::span<const uint8_t> bytes, int64_t begin, int64_t end, const ByteVocab& v,
                             int64_t seq_len) {
  CharSequences s;
  s.seq_len = seq_len;
  s.begin = begin;
  s.end = end;
  s.ids.resize(static_cast<size_t>(end - begin));
  for (int64_t i = begin; i < end; ++i) s.ids[i - begin] = v.id[bytes[i]];
  return s;
}

}  // namespace

CharCorpus load_char_corpus(const std::filesystem::path& path, SplitFractions fractions, int64_t batch,
                            int64_t seq_len) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const int64_t len = static_cast<int64_t>(bytes.size());
  const CharSplit s = char_split(len, fractions, batch, seq_len, path.string());
  CharCorpus c;
  const std::span<const uint8_t> all(bytes);
  c.vocab = byte_vocab(std::span<const std::span<const uint8_t>>(&all, 1));
  c.file_bytes = len;
  c.units = s.units;
  c.train = make_sequences(bytes, s.train_begin, s.train_end, c.vocab, seq_len);
  c.valid = make_sequences(bytes, s.valid_begin, s.valid_end, c.vocab, seq_len);
  c.test = make_sequences(bytes, s.test_begin, s.test_end, c.vocab, seq_len);
  return c;
}

CharCorpus load_char_files(const std::filesystem::path& train, const std::filesystem::path& valid,
                           const std::filesystem::path& test, int64_t seq_len) {
  if (seq_len < 1) throw Error("load_char_files: sequence length must be >= 1, got " + std::to_string(seq_len));
  const std::filesystem::path paths[3] = {train, valid, test};
  std::vector<uint8_t> bytes[3];
  for (int i = 0; i < 3; ++i) {
    bytes[i] = read_file_bytes(paths[i]);
    if (static_cast<int64_t>(bytes[i].size()) < seq_len + 1)
      throw Error(paths[i].string() + ": too small: " + std::to_string(bytes[i].size()) +
                  " bytes, a window of " + std::to_string(seq_len) + " characters needs " +
                  std::to_string(seq_len + 1));
  }
  const std::span<const uint8_t> spans[3] = {bytes[0], bytes[1], bytes[2]};
  CharCorpus c;
  c.vocab = byte_vocab(spans);
  CharSequences* out[3] = {&c.train, &c.valid, &c.test};
  for (int i = 0; i < 3; ++i) {
    const int64_t len = static_cast<int64_t>(bytes[i].size());
    *out[i] = make_sequences(bytes[i], 0, len, c.vocab, seq_len);
    c.file_bytes += len;
  }
  return c;
}

}  // namespace laq::datasets
