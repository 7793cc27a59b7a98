// The results.jsonl reader of `laq table --report` (train/report.h over train/json_reader.h):
// the input is the file's bytes. Read in both modes: strict (the first bad line is a
// laq::Error) and skipping (bad lines are warnings, so nothing may escape), and each run's
// curve must come back in strictly increasing epoch order.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_files.h"
#include "train/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace laq;
  const fuzz::fs::path file = fuzz::scratch().write("results.jsonl", data, size);
  fuzz::expect_clean([&] { train::read_results_file(file); });
  std::vector<std::string> skipped;
  std::vector<train::RunRecord> runs;
  try {
    runs = train::read_results_file(file, &skipped);
  } catch (const Error&) {
    fuzz::require(false, "the skipping mode threw on a readable file");
  }
  for (const train::RunRecord& r : runs)
    for (size_t i = 1; i < r.curve.size(); ++i)
      fuzz::require(r.curve[i - 1].epoch < r.curve[i].epoch, "a run's curve is not in increasing epoch order");
  return 0;
}
