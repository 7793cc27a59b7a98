// MAT-file Level 5 reader and SVHN format 2 loader on fixtures written at test time,
// plus a cross-check against scipy.io.savemat when /usr/bin/python3 has scipy.
#include <gtest/gtest.h>

#include <cstdlib>

#include "datasets/mat5.h"
#include "datasets/svhn.h"
#include "engine/rng.h"
#include "mat5_fixtures.h"

namespace laq::test {
namespace {

using datasets::ImageSet;
using datasets::load_svhn;

std::vector<int> cycle_labels(int n) {
  std::vector<int> y;
  for (int i = 0; i < n; ++i) y.push_back(1 + (i * 3 + 9) % 10);  // 10, 3, 6, 9, 2, ...
  return y;
}

void expect_svhn(const ImageSet& s, int n, const std::vector<int>& labels) {
  ASSERT_EQ(s.n, n);
  EXPECT_EQ(s.channels, 3);
  EXPECT_EQ(s.rows, 32);
  EXPECT_EQ(s.cols, 32);
  for (int i = 0; i < n; ++i) EXPECT_EQ(s.labels[static_cast<std::size_t>(i)], labels[static_cast<std::size_t>(i)] % 10);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < 3; ++ch)
      for (int64_t r = 0; r < 32; ++r)
        for (int64_t c = 0; c < 32; ++c)
          ASSERT_EQ(s.image(i)[ch * 1024 + r * 32 + c], svhn_pixel(i, ch, r, c))
              << "image " << i << " ch " << ch << " r " << r << " c " << c;
}

TEST(Svhn, CompressedAndUncompressedN1To5) {
  for (bool compressed : {true, false})
    for (int n = 1; n <= 5; ++n) {
      SCOPED_TRACE("compressed " + std::to_string(compressed) + " n " + std::to_string(n));
      TempDir dir;
      const auto y = cycle_labels(n);
      write_raw(dir / "s.mat", mat_file({svhn_x(n), svhn_y(y)}, compressed));  // n <= 4: y is a small element
      expect_svhn(load_svhn(dir / "s.mat"), n, y);
    }
}

TEST(Svhn, YAsDoubleEitherOrderAndUnrelatedVariables) {
  for (bool compressed : {true, false}) {
    TempDir dir;
    const auto y = cycle_labels(4);
    MatVarSpec note{"__note", 4, 16, {1, 5}, {'h', 'e', 'l', 'l', 'o'}, 0};  // mxCHAR, miUTF8
    MatVarSpec meta{"meta", 6, 9, {1, 1}, Bytes(8, 0), 0};                   // a double scalar
    MatVarSpec cell{"c", 1, 2, {1, 1}, {}, 0};                               // mxCELL (skipped unread)
    write_raw(dir / "s.mat", mat_file({note, svhn_y(y, true), meta, cell, svhn_x(4)}, compressed));
    expect_svhn(load_svhn(dir / "s.mat"), 4, y);
    // mxDOUBLE class stored as miUINT8 (MATLAB narrows storage).
    MatVarSpec yn = svhn_y(y);
    yn.mx_class = 6;
    write_raw(dir / "s.mat", mat_file({svhn_x(4), yn}, compressed));
    expect_svhn(load_svhn(dir / "s.mat"), 4, y);
  }
}

TEST(Svhn, LargeCompressedStreamSpansManyInputChunks) {
  TempDir dir;
  const int n = 500;  // ~1.5 MB of incompressible pixels: several 1 MB reads of the zlib stream
  MatVarSpec x = svhn_x(n);
  engine::Rng rng(7);
  for (auto& b : x.data) b = static_cast<uint8_t>(rng() >> 56);
  write_raw(dir / "s.mat", mat_file({x, svhn_y(cycle_labels(n))}, true));
  const ImageSet s = load_svhn(dir / "s.mat");
  ASSERT_EQ(s.n, n);
  for (int64_t i : {0, 123, 499})
    for (int64_t ch = 0; ch < 3; ++ch)
      for (int64_t r = 0; r < 32; r += 5)
        for (int64_t c = 0; c < 32; c += 3)
          ASSERT_EQ(s.image(i)[ch * 1024 + r * 32 + c], x.data[static_cast<std::size_t>(i * 3072 + ch * 1024 + c * 32 + r)]);
}

TEST(Mat5, ReadsNamedVariablesAndValues) {
  TempDir dir;
  MatVarSpec a{"alpha", 12, 5, {2, 1}, {}, 0};  // mxINT32 stored as miINT32: -3, 7
  put32(a.data, static_cast<uint32_t>(-3));
  put32(a.data, 7);
  write_raw(dir / "m.mat", mat_file({a, svhn_y({1, 2, 3})}, true));
  const auto vars = datasets::read_mat5(dir / "m.mat", {"alpha", "missing"});
  ASSERT_EQ(vars.size(), 1u);
  EXPECT_EQ(vars[0].name, "alpha");
  EXPECT_EQ(vars[0].dims, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(vars[0].value(0), -3.0);
  EXPECT_EQ(vars[0].value(1), 7.0);
  EXPECT_TRUE(vars[0].compressed);
  EXPECT_EQ(vars[0].file_offset, 128u);
}

TEST(Svhn, HeaderErrors) {
  TempDir dir;
  const auto f = dir / "s.mat";
  const std::string fs = f.string();
  Bytes good = mat_file({svhn_x(1), svhn_y({1})}, true);
  // MATLAB 7.3: HDF5 text and signature at 512.
  Bytes v73 = mat_header("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: x HDF5 schema 1.00 .");
  v73.resize(512, 0);
  for (char ch : std::string("\x89HDF\r\n\x1a\n", 8)) v73.push_back(static_cast<uint8_t>(ch));
  v73.resize(1024, 0);
  write_raw(f, v73);
  expect_error([&] { load_svhn(f); }, {fs, "MATLAB 7.3", "HDF5"});
  // HDF5 signature with a 5.0 text is still HDF5.
  Bytes sig = mat_file({svhn_x(1), svhn_y({1})}, false);  // > 520 bytes
  std::memcpy(sig.data() + 512, "\x89HDF\r\n\x1a\n", 8);
  write_raw(f, sig);
  expect_error([&] { load_svhn(f); }, {fs, "HDF5"});
  // Level 4: a 20-byte binary header, no text.
  Bytes l4 = {0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 'x', 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F};
  write_raw(f, l4);
  expect_error([&] { load_svhn(f); }, {fs, "header text", "Level 4"});
  Bytes mi = good;
  mi[126] = 'M';
  mi[127] = 'I';
  write_raw(f, mi);
  expect_error([&] { load_svhn(f); }, {fs, "endian mark", "'MI'", "big-endian"});
  Bytes ver = good;
  ver[124] = 0x00;
  ver[125] = 0x02;
  write_raw(f, ver);
  expect_error([&] { load_svhn(f); }, {fs, "version", "0x0200"});
  write_raw(f, Bytes(good.begin(), good.begin() + 60));
  expect_error([&] { load_svhn(f); }, {fs, "header truncated"});
}

TEST(Svhn, StreamErrors) {
  TempDir dir;
  const auto f = dir / "s.mat";
  const std::string fs = f.string();
  const Bytes x = mat_compressed(mat_matrix(svhn_x(2)));
  const Bytes y = mat_compressed(mat_matrix(svhn_y({1, 2})));
  auto file = [&](const Bytes& a, const Bytes& b) {
    Bytes out = mat_header();
    out.insert(out.end(), a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
  };
  // Corrupt zlib: damage bytes in the middle of X's deflate data.
  Bytes bad = x;
  for (std::size_t i = 40; i < 60; ++i) bad[i] ^= 0x5A;
  write_raw(f, file(bad, y));
  expect_error([&] { load_svhn(f); }, {fs, "miCOMPRESSED element at offset 128", "zlib"});
  // Truncated file: the compressed element claims more than remains.
  Bytes whole = file(x, y);
  whole.resize(whole.size() - 10);
  write_raw(f, whole);
  expect_error([&] { load_svhn(f); }, {fs, "claims", "truncated file"});
  // Inner tag claims more than the stream holds, and less.
  write_raw(f, file(mat_compressed(mat_matrix(svhn_x(2), 8)), y));
  expect_error([&] { load_svhn(f); }, {fs, "inflated size mismatch", "ends after"});
  Bytes longer = mat_matrix(svhn_x(2));
  longer.insert(longer.end(), 8, 0);  // 8 stray bytes after the element inside the stream
  write_raw(f, file(mat_compressed(longer), y));
  expect_error([&] { load_svhn(f); }, {fs, "inflated size mismatch", "more than the inner tag"});
  // A claim beyond what deflate can produce from the element's bytes.
  Bytes tiny = mat_compressed(Bytes{14, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F});
  write_raw(f, file(tiny, y));
  expect_error([&] { load_svhn(f); }, {fs, "inflated size mismatch", "more than"});
  // Zlib stream cut short inside a well-formed element size.
  Bytes cut = x;
  const uint32_t zlen = static_cast<uint32_t>(x.size() - 8 - 20);
  cut.resize(x.size() - 20);
  std::memcpy(cut.data() + 4, &zlen, 4);
  write_raw(f, file(cut, y));
  expect_error([&] { load_svhn(f); }, {fs, "zlib stream"});
  // Unknown top-level element.
  Bytes junk;
  put32(junk, 9);
  put32(junk, 8);
  junk.resize(16, 0);
  write_raw(f, file(junk, y));
  expect_error([&] { load_svhn(f); }, {fs, "offset 128", "unexpected top-level element type miDOUBLE"});
}

TEST(Svhn, VariableErrors) {
  TempDir dir;
  const auto f = dir / "s.mat";
  const std::string fs = f.string();
  for (bool compressed : {true, false}) {
    SCOPED_TRACE(compressed ? "compressed" : "uncompressed");
    write_raw(f, mat_file({svhn_x(2)}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "no variable named 'y'"});
    write_raw(f, mat_file({svhn_y({1})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "no variable named 'X'"});
    MatVarSpec x = svhn_x(2);
    x.dims = {32, 32, 1, 6};
    write_raw(f, mat_file({x, svhn_y({1, 2})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'X'", "dims [32, 32, 1, 6]", "[32, 32, 3, N]"});
    x.dims = {32, 32, 6};
    write_raw(f, mat_file({x, svhn_y({1, 2})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'X'", "dims [32, 32, 6]"});
    x = svhn_x(2);
    x.dims = {32, 32, 3, 3};  // data for 2 images, dims claim 3
    write_raw(f, mat_file({x, svhn_y({1, 2, 3})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'X'", "real part holds 6144 bytes", "need 9216"});
    write_raw(f, mat_file({svhn_x(2), svhn_y({1, 2, 3})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "'y' has 3 labels", "'X' has 2"});
    write_raw(f, mat_file({svhn_x(2), svhn_y({1, 11})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'y'", "label 11", "index 1", "1..10"});
    write_raw(f, mat_file({svhn_x(2), svhn_y({0, 1})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'y'", "label 0", "index 0"});
    MatVarSpec yd = svhn_y({1, 2}, true);
    const double half = 2.5;
    std::memcpy(yd.data.data() + 8, &half, 8);
    write_raw(f, mat_file({svhn_x(2), yd}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'y'", "label 2.5"});
    MatVarSpec yt = svhn_y({1, 2});
    yt.dims = {1, 2};
    write_raw(f, mat_file({svhn_x(2), yt}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'y'", "dims [1, 2]", "[N, 1]"});
    MatVarSpec xd = svhn_x(1);
    xd.mx_class = 6;
    write_raw(f, mat_file({xd, svhn_y({1})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'X'", "class mxDOUBLE", "mxUINT8"});
    MatVarSpec xc = svhn_x(1);
    xc.extra_flags = 0x0800;
    write_raw(f, mat_file({xc, svhn_y({1})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'X'", "complex"});
    MatVarSpec ych{"y", 4, 16, {1, 1}, {'a'}, 0};
    write_raw(f, mat_file({svhn_x(1), ych}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'y'", "class mxCHAR"});
    write_raw(f, mat_file({svhn_x(1), svhn_y({1}), svhn_y({2})}, compressed));
    expect_error([&] { load_svhn(f); }, {fs, "variable 'y' appears twice"});
  }
  // Uncompressed matrix whose subelement claims more than the element holds.
  Bytes m = mat_matrix(svhn_y({1, 2, 3, 4, 5}), -8);
  Bytes out = mat_header();
  const Bytes xm = mat_matrix(svhn_x(5));
  out.insert(out.end(), xm.begin(), xm.end());
  out.insert(out.end(), m.begin(), m.end());
  write_raw(f, out);
  expect_error([&] { load_svhn(f); }, {fs, "real part of 'y'", "remain in the miMATRIX element"});
  expect_error([&] { load_svhn(dir / "absent.mat"); }, {(dir / "absent.mat").string(), "no such"});
}

TEST(SvhnSplit, PerClassCountsSeededAndDisjoint) {
  std::vector<int32_t> train, extra;
  for (int i = 0; i < 300; ++i) train.push_back(i % 10);
  for (int i = 0; i < 500; ++i) extra.push_back((i * 7) % 10);
  datasets::SvhnSplitOptions o;
  o.valid_per_class_train = 4;
  o.valid_per_class_extra = 2;
  const auto s = datasets::split_svhn(train, extra, o);
  EXPECT_EQ(s.valid_from_train.size(), 40u);
  EXPECT_EQ(s.valid_from_extra.size(), 20u);
  EXPECT_EQ(s.train_from_train.size(), 260u);
  EXPECT_EQ(s.train_from_extra.size(), 480u);
  std::vector<int> per(10, 0);
  for (int64_t i : s.valid_from_train) ++per[static_cast<std::size_t>(train[static_cast<std::size_t>(i)])];
  for (int c : per) EXPECT_EQ(c, 4);
  std::vector<int> seen(300, 0);
  for (int64_t i : s.valid_from_train) ++seen[static_cast<std::size_t>(i)];
  for (int64_t i : s.train_from_train) ++seen[static_cast<std::size_t>(i)];
  for (int v : seen) EXPECT_EQ(v, 1);
  EXPECT_TRUE(std::is_sorted(s.valid_from_extra.begin(), s.valid_from_extra.end()));
  const auto again = datasets::split_svhn(train, extra, o);
  EXPECT_EQ(again.valid_from_train, s.valid_from_train);
  o.seed = 1;
  EXPECT_NE(datasets::split_svhn(train, extra, o).valid_from_train, s.valid_from_train);
  o.valid_per_class_train = 31;
  expect_error([&] { datasets::split_svhn(train, extra, o); }, {"class 0 has 30 images in train", "31"});
}

TEST(SvhnExperiment, ThreeFilesSplitAndPreprocess) {
  TempDir dir;
  write_raw(dir / "train_32x32.mat", mat_file({svhn_x(20), svhn_y(cycle_labels(20))}, true));
  write_raw(dir / "extra_32x32.mat", mat_file({svhn_x(30), svhn_y(cycle_labels(30))}, true));
  write_raw(dir / "test_32x32.mat", mat_file({svhn_x(7), svhn_y(cycle_labels(7))}, false));
  datasets::SvhnSplitOptions o;
  o.valid_per_class_train = 1;
  o.valid_per_class_extra = 2;
  const auto d = datasets::load_svhn_experiment(dir.path(), o);
  EXPECT_EQ(d.val_x.dim(0), 30);
  EXPECT_EQ(d.train_x.dim(0), 20);
  EXPECT_EQ(d.test_x.shape(), (engine::Shape{7, 3, 32, 32}));
  EXPECT_EQ(d.train_y.size(), 20u);
  EXPECT_EQ(d.val_y.size(), 30u);
  for (float v : d.test_x.span()) ASSERT_TRUE(std::isfinite(v));
}

// scipy.io.savemat writes the files, laq reads them: an independent writer.
TEST(Svhn, ReadsScipyWrittenFiles) {
  if (std::system("/usr/bin/python3 -c 'import scipy.io, numpy' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with scipy not available (apt-get install python3-scipy)";
  TempDir dir;
  const std::string script =
      "import numpy as np, scipy.io as sio, sys\n"
      "n = 5\n"
      "X = np.zeros((32, 32, 3, n), dtype=np.uint8)\n"
      "for i in range(n):\n"
      "  for ch in range(3):\n"
      "    for r in range(32):\n"
      "      for c in range(32):\n"
      "        X[r, c, ch, i] = (r*7 + c*3 + ch*101 + i*13) & 255\n"
      "y = np.array([[10], [3], [6], [9], [2]], dtype=np.uint8)\n"
      "d = sys.argv[1]\n"
      "sio.savemat(d + '/c.mat', {'X': X, 'y': y}, do_compression=True)\n"
      "sio.savemat(d + '/u.mat', {'y': y.astype(np.float64), 'X': X, 'z': np.eye(3)}, do_compression=False)\n"
      "sio.savemat(d + '/s.mat', {'X': X[:, :, :, :3], 'y': y[:3]}, do_compression=True)\n";
  write_raw(dir / "w.py", Bytes(script.begin(), script.end()));
  ASSERT_EQ(std::system(("/usr/bin/python3 " + (dir / "w.py").string() + " " + dir.path().string()).c_str()), 0);
  expect_svhn(load_svhn(dir / "c.mat"), 5, {10, 3, 6, 9, 2});
  expect_svhn(load_svhn(dir / "u.mat"), 5, {10, 3, 6, 9, 2});
  expect_svhn(load_svhn(dir / "s.mat"), 3, {10, 3, 6});
}

}  // namespace
}  // namespace laq::test
