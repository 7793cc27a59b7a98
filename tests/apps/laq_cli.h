#pragma once
// Fixtures for tests that run the real `laq` binary: where it is (env LAQ_BIN, set by CTest;
// tests skip when it is unset), a runner that captures exit code, stdout and stderr, and a
// tiny MNIST-format data set written as IDX files (no dataset bytes are committed).
//
//   tiny data: 300 training and 100 test images, 28x28; class k is a bright 6x6 block at
//   position k of a 2x5 grid over faint deterministic noise, so an MLP learns it in a few
//   steps.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "datasets/idx_fixtures.h"

namespace laq::test {

struct RunResult {
  int code = -1;  // exit code; -1 when the process did not exit normally
  std::string out, err;
  // stderr without a trailing newline, split into lines.
  std::vector<std::string> err_lines() const {
    std::vector<std::string> lines;
    std::istringstream s(err);
    for (std::string l; std::getline(s, l);) lines.push_back(l);
    return lines;
  }
  std::string describe() const { return "exit " + std::to_string(code) + "\n--- stdout:\n" + out + "--- stderr:\n" + err; }
};

// Path of the laq binary: env LAQ_BIN (CTest sets it), else build/laq beside this test
// binary's folder (build/tests/test_*), else "" (the caller skips).
inline std::string laq_bin() {
  if (const char* p = std::getenv("LAQ_BIN"); p && *p) return p;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path guess = self.parent_path().parent_path() / "laq";
    if (fs::is_regular_file(guess, ec)) return guess.string();
  }
  return {};
}

#define LAQ_REQUIRE_BIN()                                                                                \
  do {                                                                                                   \
    if (::laq::test::laq_bin().empty()) GTEST_SKIP() << "LAQ_BIN is not set and no build/laq was found"; \
  } while (0)

inline std::string shell_quote(const std::string& s) {
  std::string q(1, '\'');
  for (char c : s) {
    if (c == '\'') q.append("'\\''");
    else q.push_back(c);
  }
  q.push_back('\'');
  return q;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs `laq args...` with `cwd` as working directory; stdout and stderr go to files in cwd.
// `launcher` (e.g. mpirun and its flags) goes before the binary.
inline RunResult run_laq(const fs::path& cwd, const std::vector<std::string>& args,
                         const std::vector<std::string>& launcher = {}) {
  const fs::path out = cwd / ".laq-stdout", err = cwd / ".laq-stderr";
  // append() rather than "literal" + string: GCC 12 warns falsely (-Wrestrict) on the latter.
  std::string cmd = "cd ";
  cmd.append(shell_quote(cwd.string())).append(" &&");
  for (const auto& a : launcher) cmd.append(" ").append(shell_quote(a));
  cmd.append(" ").append(shell_quote(laq_bin()));
  for (const auto& a : args) cmd.append(" ").append(shell_quote(a));
  cmd.append(" </dev/null >").append(shell_quote(out.string())).append(" 2>").append(shell_quote(err.string()));
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

// n images of class i % 10 (a block at grid cell k), faint noise from a fixed LCG.
inline void tiny_mnist_split(uint32_t n, uint32_t seed, std::vector<uint8_t>& pixels, std::vector<uint8_t>& labels) {
  pixels.assign(size_t{n} * 784, 0);
  labels.resize(n);
  uint32_t state = seed;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t k = (i * 7 + seed) % 10;
    labels[i] = static_cast<uint8_t>(k);
    uint8_t* img = pixels.data() + size_t{i} * 784;
    for (int p = 0; p < 784; ++p) {
      state = state * 1664525u + 1013904223u;
      img[p] = static_cast<uint8_t>((state >> 24) & 31);
    }
    const int r0 = 4 + 12 * static_cast<int>(k / 5), c0 = 1 + 5 * static_cast<int>(k % 5);
    for (int r = r0; r < r0 + 6; ++r)
      for (int c = c0; c < c0 + 5; ++c) img[r * 28 + c] = 255;
  }
}

// Writes the four MNIST IDX files into dir (created).
inline void write_tiny_mnist(const fs::path& dir, uint32_t n_train = 300, uint32_t n_test = 100) {
  fs::create_directories(dir);
  std::vector<uint8_t> px, lb;
  tiny_mnist_split(n_train, 1, px, lb);
  write_raw(dir / "train-images-idx3-ubyte", mnist_images(n_train, px));
  write_raw(dir / "train-labels-idx1-ubyte", mnist_labels(lb));
  tiny_mnist_split(n_test, 2, px, lb);
  write_raw(dir / "t10k-images-idx3-ubyte", mnist_images(n_test, px));
  write_raw(dir / "t10k-labels-idx1-ubyte", mnist_labels(lb));
}

// The last line of a file that starts with '{' (results.jsonl), or "".
inline std::string last_json_line(const fs::path& p) {
  std::istringstream s(slurp(p));
  std::string last;
  for (std::string l; std::getline(s, l);)
    if (!l.empty() && l[0] == '{') last = l;
  return last;
}

// The raw JSON text of `"key": value` in a flat-enough JSON line (number, string, null), or "".
inline std::string json_field(const std::string& line, const std::string& key) {
  const std::string pat = "\"" + key + "\"";
  size_t pos = line.rfind(pat);  // the top-level copy comes after the nested config
  if (pos == std::string::npos) return "";
  pos = line.find(':', pos + pat.size());
  if (pos == std::string::npos) return "";
  ++pos;
  while (pos < line.size() && line[pos] == ' ') ++pos;
  size_t end = pos;
  if (end < line.size() && line[end] == '"') {
    end = line.find('"', end + 1);
    return end == std::string::npos ? "" : line.substr(pos, end - pos + 1);
  }
  while (end < line.size() && line[end] != ',' && line[end] != '}') ++end;
  return line.substr(pos, end - pos);
}

}  // namespace laq::test
