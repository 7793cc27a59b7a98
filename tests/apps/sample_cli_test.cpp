// laq sample: text from a packed ternary char LSTM, seeded and reproducible, primed, with
// bad flags refused (exit 2).
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
       {std::vector<std::string>{"--length", "0"}, {"--temperature", "0"}, {"--temperature", "-1"},
        {"--temperature", "nan"}, {"--prime", "\x01"}, {"--lenght", "5"}, {"--seed", "x"}}) {
    std::vector<std::string> args{"sample", "--model", model};
    args.insert(args.end(), bad.begin(), bad.end());
    const RunResult e = run_laq(tmp.path(), args);
    EXPECT_EQ(e.code, 2) << bad[0] << " " << bad[1] << "\n" << e.describe();
  }
  r = run_laq(tmp.path(), {"sample", "--model", (tmp / "missing.h5").string()});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("missing.h5"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace laq::test
