// laq sample: text from a packed ternary char LSTM, seeded and reproducible, primed, with
// bad flags refused (exit 2); laq infer on the same model (cross-entropy beside the float path's).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "apps/laq_cli.h"

namespace laq::test {
namespace {

// A small kernel-like corpus: a few C lines repeated with a counter.
void write_corpus(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream f(dir / "linux_input.txt", std::ios::binary);
  for (int i = 0; i < 400; ++i)
    f << "static int probe_" << i % 17 << "(struct device *dev)\n{\n\treturn dev->id + " << i % 7 << ";\n}\n";
}

// The generated text: stdout without the trailing newline that laq sample adds.
std::string text_of(const RunResult& r) { return r.out.empty() ? r.out : r.out.substr(0, r.out.size() - 1); }

TEST(Sample, SeededReproduciblePrimedTextFromAPackedTernaryLstm) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const fs::path data = tmp / "data", run = tmp / "run";
  write_corpus(data);
  RunResult r = run_laq(tmp.path(), {"train", "--experiment", "linux-lstm", "--method", "lat-e", "--data", data.string(),
                                     "--out", run.string(), "--batch", "4", "--epochs", "1", "--steps-per-epoch", "2",
                                     "--threads", "1", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();
  r = run_laq(tmp.path(), {"export", "--checkpoint", (run / "best.h5").string()});
  ASSERT_EQ(r.code, 0) << r.describe();
  const std::string model = (run / "model.h5").string();

  // laq infer on the same model: the packed recurrence's cross-entropy beside the float path's.
  r = run_laq(tmp.path(), {"infer", "--model", model, "--batch", "2", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  const size_t p = r.out.find("test cross_entropy of the packed model: ");
  const size_t f = r.out.find("float path (laq inspect --evaluate): test cross_entropy ");
  ASSERT_NE(p, std::string::npos) << r.describe();
  ASSERT_NE(f, std::string::npos) << r.describe();
  EXPECT_NEAR(std::stod(r.out.substr(p + 40)), std::stod(r.out.substr(f + 56)), 1e-3) << r.describe();
  const size_t d = r.out.find("predictions differing: ");
  ASSERT_NE(d, std::string::npos) << r.describe();
  const long long differing = std::stoll(r.out.substr(d + 23));
  const long long positions = std::stoll(r.out.substr(r.out.find(" of ", d) + 4));
  EXPECT_LE(differing * 100, positions) << r.describe();  // near-ties of an almost untrained model may flip

  r = run_laq(tmp.path(), {"bench", "--packed", model, "--steps", "20", "--warmup", "0", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("\"bench\": \"sample_step\""), std::string::npos) << r.describe();
  EXPECT_NE(r.out.find("\"float_median_ms\""), std::string::npos) << r.describe();
  r = run_laq(tmp.path(), {"bench", "--packed", model, "--batch", "2"});
  EXPECT_EQ(r.code, 2) << r.describe();

  const RunResult a = run_laq(tmp.path(), {"sample", "--model", model, "--length", "120", "--seed", "3"});
  const RunResult b = run_laq(tmp.path(), {"sample", "--model", model, "--length", "120", "--seed", "3"});
  const RunResult c = run_laq(tmp.path(), {"sample", "--model", model, "--length", "120", "--seed", "4"});
  ASSERT_EQ(a.code, 0) << a.describe();
  ASSERT_EQ(b.code, 0) << b.describe();
  ASSERT_EQ(c.code, 0) << c.describe();
  EXPECT_EQ(text_of(a).size(), 1u + 120u) << a.describe();  // the default prime "\n", then 120 characters
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);

  const RunResult primed =
      run_laq(tmp.path(), {"sample", "--model", model, "--length", "50", "--seed", "3", "--prime", "static int"});
  ASSERT_EQ(primed.code, 0) << primed.describe();
  EXPECT_EQ(text_of(primed).rfind("static int", 0), 0u) << primed.describe();
  EXPECT_EQ(text_of(primed).size(), 10u + 50u) << primed.describe();
  // The state after the priming text differs from the state after "\n": the draws continue differently.
  const RunResult cold = run_laq(tmp.path(), {"sample", "--model", model, "--length", "50", "--seed", "3"});
  EXPECT_NE(text_of(primed).substr(10), text_of(cold).substr(1)) << primed.describe() << cold.describe();

  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--length", "0"}, {"--temperature", "0"}, {"--temperature", "-1"}, {"--temperature", "nan"}, {"--prime", "\x01"}, {"--lenght", "5"}, {"--seed", "x"}}) {
    std::vector<std::string> args{"sample", "--model", model};
    args.insert(args.end(), bad.begin(), bad.end());
    const RunResult e = run_laq(tmp.path(), args);
    EXPECT_EQ(e.code, 2) << bad[0] << " " << bad[1] << "\n"
                         << e.describe();
  }
  r = run_laq(tmp.path(), {"sample", "--model", (tmp / "missing.h5").string()});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("missing.h5"), std::string::npos) << r.describe();
}

// A full-precision run has no packed model: laq sample reads its checkpoint and runs the float
// weights. On a ternary run the checkpoint (float path, quantized values) and the packed model
// (packed recurrence) draw the same text from the same seed.
TEST(Sample, FromACheckpointWithTheFloatWeights) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const fs::path data = tmp / "data";
  write_corpus(data);
  for (const std::string method : {"fpn", "lat-e"}) {
    const fs::path run = tmp / method;
    RunResult r = run_laq(tmp.path(), {"train", "--experiment", "linux-lstm", "--method", method, "--data", data.string(),
                                       "--out", run.string(), "--batch", "4", "--epochs", "1", "--steps-per-epoch", "3",
                                       "--threads", "1", "--quiet"});
    ASSERT_EQ(r.code, 0) << r.describe();
    const std::string checkpoint = (run / "best.h5").string();
    const RunResult a = run_laq(tmp.path(), {"sample", "--model", checkpoint, "--length", "80", "--seed", "5", "--prime", "static"});
    const RunResult b = run_laq(tmp.path(), {"sample", "--model", checkpoint, "--length", "80", "--seed", "5", "--prime", "static"});
    ASSERT_EQ(a.code, 0) << a.describe();
    EXPECT_EQ(a.out, b.out) << method;
    EXPECT_EQ(text_of(a).size(), 6u + 80u) << a.describe();
    EXPECT_EQ(text_of(a).rfind("static", 0), 0u) << a.describe();
    if (method == "fpn") continue;
    r = run_laq(tmp.path(), {"export", "--checkpoint", checkpoint});
    ASSERT_EQ(r.code, 0) << r.describe();
    const RunResult packed = run_laq(tmp.path(), {"sample", "--model", (run / "model.h5").string(), "--length", "80",
                                                  "--seed", "5", "--prime", "static"});
    ASSERT_EQ(packed.code, 0) << packed.describe();
    EXPECT_EQ(packed.out, a.out) << "packed and float paths drew different text";
  }
  // A checkpoint of another network is refused, naming the file.
  const fs::path mnist = tmp / "mnist", mlp = tmp / "mlp";
  write_tiny_mnist(mnist);
  RunResult r = run_laq(tmp.path(), {"train", "--experiment", "mnist-mlp", "--method", "fpn", "--data", mnist.string(),
                                     "--out", mlp.string(), "--batch", "20", "--val-size", "100", "--epochs", "1",
                                     "--steps-per-epoch", "2", "--threads", "1", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();
  r = run_laq(tmp.path(), {"sample", "--model", (mlp / "best.h5").string()});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("not a char LSTM"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find((mlp / "best.h5").string()), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace laq::test
