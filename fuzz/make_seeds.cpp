// Writes the fuzz targets' starting corpora: valid files and slightly broken ones, built by
// the same writers the unit tests use (tests/support/dataset_bytes.h for the data formats;
// save_checkpoint and export_packed_model on tests/support/tiny_session.h for HDF5, through
// fuzz/hdf5_bases.h), so no seed file is committed.
//
//   make_seeds OUT_DIR     ->  OUT_DIR/fuzz_idx/..., OUT_DIR/fuzz_cifar/..., ...
//
// Each target's input layout (a leading mode byte for some) is described in its source.
#include <H5Cpp.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hdf5_bases.h"
#include "support/dataset_bytes.h"
#include "train/results_fixtures.h"

namespace {

namespace fs = std::filesystem;
using laq::test::Bytes;
using namespace laq::test;

fs::path g_out;
int g_count = 0;

void seed(const std::string& target, const std::string& name, const Bytes& bytes) {
  const fs::path dir = g_out / target;
  fs::create_directories(dir);
  std::ofstream f(dir / name, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + (dir / name).string());
  ++g_count;
}

Bytes prefixed(uint8_t mode, const Bytes& body) {
  Bytes b{mode};
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

Bytes read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

// Results files as Trainer writes them (a finished run, an unfinished one, a resumed epoch),
// and the torn, escaped and nested lines the reader must refuse.
void results_seeds() {
  FakeRun run;
  run.val = {3.0, 2.0};
  run.best_val = 2.0;
  run.best_epoch = 2;
  run.test_at_best = 2.5;
  const std::string e1 = fake_line(run, "epoch", 0), e2 = fake_line(run, "epoch", 1), res = fake_line(run, "result", 0);
  seed("fuzz_results", "finished", bytes_of(e1 + "\n" + e2 + "\n" + res + "\n"));
  seed("fuzz_results", "unfinished-resumed", bytes_of(e1 + "\n" + e2 + "\n" + e2 + "\n"));
  seed("fuzz_results", "torn", bytes_of(e1 + "\n" + e2.substr(0, e2.size() / 2)));
  seed("fuzz_results", "escapes", bytes_of(R"({"a": "\u00e9\ud83d\ude00\n", "b": [1, [2, {"c": null}]], "type": "epoch"})"
                                           "\n"));
  seed("fuzz_results", "nested", bytes_of(std::string(40, '{') + "\n" + std::string(40, '[') + "\n"));
}

void idx_seeds() {
  const Bytes images = mnist_images(2, pattern_pixels(2, 16), 4, 4);
  const Bytes labels = mnist_labels({3, 7});
  const Bytes i16 = concat(idx_header(0x0B, {2, 2}), {0, 1, 0xFF, 0xFE, 0x12, 0x34, 0, 0});
  const Bytes f32 = concat(idx_header(0x0D, {2}), {0x3F, 0x80, 0, 0, 0xC0, 0, 0, 0});
  const Bytes f64 = concat(idx_header(0x0E, {1, 1}), {0x3F, 0xF0, 0, 0, 0, 0, 0, 0});
  const Bytes i32 = concat(idx_header(0x0C, {1}), {0x80, 0, 0, 1});
  // Mode byte 0: verbatim; 1: the target gzips the rest.
  for (const auto& [name, body] : std::vector<std::pair<std::string, Bytes>>{
           {"images", images}, {"labels", labels}, {"int16", i16}, {"float32", f32}, {"float64", f64}, {"int32", i32}}) {
    seed("fuzz_idx", name + ".raw", prefixed(0, body));
    seed("fuzz_idx", name + ".gz-by-target", prefixed(1, body));
  }
  seed("fuzz_idx", "images.gz", prefixed(0, gzip_compress(images)));
  // Broken: truncated payload, trailing bytes, a header claiming 10^12 images.
  seed("fuzz_idx", "truncated.raw", prefixed(0, Bytes(images.begin(), images.end() - 5)));
  seed("fuzz_idx", "trailing.raw", prefixed(0, concat(labels, {1, 2, 3})));
  seed("fuzz_idx", "huge.raw", prefixed(0, idx_header(0x08, {1000000, 1000000, 1})));
  seed("fuzz_idx", "huge.gz-by-target", prefixed(1, idx_header(0x08, {1000000, 1000000, 1})));
  const Bytes gz = gzip_compress(images);
  seed("fuzz_idx", "cut.gz", prefixed(0, Bytes(gz.begin(), gz.begin() + static_cast<long>(gz.size() / 2))));
}

void cifar_seeds() {
  // Mode byte: bit 0 = CIFAR-100, bit 1 = coarse labels.
  seed("fuzz_cifar", "cifar10", prefixed(0, cifar_records(5, {{5}, {4}})));
  seed("fuzz_cifar", "cifar100-fine", prefixed(1, cifar_records(1, {{3, 17}, {19, 99}})));
  seed("fuzz_cifar", "cifar100-coarse", prefixed(3, cifar_records(1, {{3, 17}})));
  seed("fuzz_cifar", "cifar10-bad-label", prefixed(0, cifar_records(5, {{10}})));
  Bytes cut = cifar_records(5, {{1}, {2}});
  cut.resize(cut.size() - 7);
  seed("fuzz_cifar", "cifar10-truncated", prefixed(0, cut));
}

void mat5_seeds() {
  const std::vector<MatVarSpec> svhn = {svhn_x(1), svhn_y({10})};
  seed("fuzz_mat5", "svhn-v7.mat", mat_file(svhn, true));
  seed("fuzz_mat5", "svhn-v6.mat", mat_file(svhn, false));
  seed("fuzz_mat5", "svhn-y-double.mat", mat_file({svhn_x(2), svhn_y({1, 7}, true)}, true));
  const MatVarSpec other{"z", 6, 9, {2, 1}, Bytes(16, 0x40), 0};
  seed("fuzz_mat5", "extra-variable.mat", mat_file({other, svhn_y({3}), svhn_x(1)}, false));
  // Broken: a body longer than the file, a complex variable.
  seed("fuzz_mat5", "overlong-body.mat", concat(mat_header(), mat_matrix(svhn_y({1, 2}), 64)));
  seed("fuzz_mat5", "complex.mat", concat(mat_header(), mat_matrix({"y", 6, 9, {1, 1}, Bytes(8, 0), 0x0800})));
}

void text_seeds() {
  // Bytes 0, 1: window length and batch; then train NUL valid NUL test.
  auto text = [](uint8_t t, uint8_t b, const std::string& s) {
    Bytes out{t, b};
    out.insert(out.end(), s.begin(), s.end());
    return out;
  };
  const std::string words = std::string(" the cat sat on the mat \n a dog <unk> N the cat \n") + '\0' +
                            " the dog sat \n" + '\0' + " a cat \n";
  const std::string chars = std::string("t h e _ c a t\r\n_ a _ d o g\n") + '\0' + "a _ c a t\n" + '\0' + "d o g\n";
  seed("fuzz_text", "ptb-words", text(2, 1, words));
  seed("fuzz_text", "ptb-chars", text(3, 0, chars));
  std::string crlf;
  for (int i = 0; i < 12; ++i) crlf += "War and Peace, line " + std::to_string(i) + "\r\n";
  seed("fuzz_text", "corpus", text(7, 3, crlf + '\0' + crlf.substr(0, 40) + '\0' + crlf.substr(40, 40)));
  seed("fuzz_text", "missing-parts", text(1, 1, "abc"));
}

// Structure-aware inputs (fuzz/hdf5_edits.h): a base index and a few edits. Raw-mode corpora
// (LAQ_FUZZ_HDF5_RAW=1) are the base files themselves, in <target>-raw/.
void hdf5_seeds(const fs::path& scratch) {
  const auto checkpoints = laq::fuzz::write_checkpoint_bases(scratch);
  const auto models = laq::fuzz::write_packed_model_bases(scratch);
  for (const auto& [target, count] : {std::pair{"fuzz_checkpoint", checkpoints.size() + 1},
                                      std::pair{"fuzz_packed_model", models.size() + 1}}) {
    for (size_t b = 0; b < count; ++b) {
      const auto i = static_cast<uint8_t>(b);
      seed(target, "base" + std::to_string(b), {i});
      seed(target, "base" + std::to_string(b) + "-attribute-array", {i, 1, 3, 3, 7, 0, 0, 1, 2, 3, 4, 5, 6, 7});
      seed(target, "base" + std::to_string(b) + "-lying-dataset", {i, 2, 5, 0, 1, 250, 1, 9});
      seed(target, "base" + std::to_string(b) + "-dropped-attribute", {i, 0, 4, 0, 0, 0, 0});
      seed(target, "base" + std::to_string(b) + "-dropped-object", {i, 4, 6, 0, 0, 0, 0});
    }
  }
  for (const auto& f : checkpoints) seed("fuzz_checkpoint-raw", f.filename().string(), read_file(f));
  for (const auto& f : models) seed("fuzz_packed_model-raw", f.filename().string(), read_file(f));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds OUT_DIR\n");
    return 2;
  }
  g_out = argv[1];
  try {
    H5::Exception::dontPrint();
    idx_seeds();
    cifar_seeds();
    mat5_seeds();
    text_seeds();
    results_seeds();
    const fs::path scratch = g_out / ".scratch";
    fs::create_directories(scratch);
    hdf5_seeds(scratch);
    fs::remove_all(scratch);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_seeds: error: %s\n", e.what());
    return 1;
  }
  std::printf("make_seeds: %d seed files in %s\n", g_count, g_out.c_str());
  return 0;
}
