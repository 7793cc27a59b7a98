// laq table --report's gathering: cells are the mean and sample std over seeds, unfinished
// runs are listed, the paper's numbers land in their cell (and nowhere else), and a broken
// results line is reported with its file and line. The results files are written with the
// real JSON writer (results_fixtures.h).
#include "train/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "datasets/idx_fixtures.h"
#include "engine/error.h"
#include "train/packed_model.h"
#include "train/results_fixtures.h"

namespace laq::test {
namespace {

using train::RunRecord;

std::vector<RunRecord> read_all(const std::vector<fs::path>& roots) {
  std::vector<RunRecord> runs;
  for (const auto& f : train::find_results_files(roots))
    for (auto& r : train::read_results_file(f)) runs.push_back(std::move(r));
  return runs;
}

size_t row_index(const train::ReportTable& t, const std::string& label) {
  for (size_t i = 0; i < t.rows.size(); ++i)
    if (t.rows[i].label == label) return i;
  ADD_FAILURE() << "no row " << label;
  return 0;
}

size_t column_index(const train::ReportTable& t, const std::string& experiment) {
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].experiment == experiment) return i;
  ADD_FAILURE() << "no column " << experiment;
  return 0;
}

FakeRun lat_e(int64_t seed, double test) {
  FakeRun r;
  r.method = "lat-e";
  r.seed = seed;
  r.val = {3.0, 2.0, 1.5};
  r.best_val = 1.5;
  r.best_epoch = 3;
  r.test_at_best = test;
  return r;
}

TEST(Report, MeanAndSampleStdOverThreeSeedsAcrossFolders) {
  TempDir tmp;
  write_fake_run(tmp / "a/seed1", lat_e(1, 1.0));
  write_fake_run(tmp / "a/deeper/seed2", lat_e(2, 1.2));
  write_fake_run(tmp / "b/seed3", lat_e(3, 1.7));
  const auto runs = read_all({tmp / "a", tmp / "b"});
  ASSERT_EQ(runs.size(), 3u);
  const auto tables = train::build_tables(runs, {});
  ASSERT_EQ(tables.size(), 1u);
  const auto& t = tables[0];
  EXPECT_EQ(t.name, "feedforward");
  ASSERT_EQ(t.rows.size(), 13u);  // the paper's rows, nothing extra
  const auto& cell = t.rows[row_index(t, "lat-e")].cells[column_index(t, "mnist-mlp")];
  ASSERT_EQ(cell.n(), 3u);
  // mean (1.0 + 1.2 + 1.7) / 3 = 1.3; squared deviations 0.09 + 0.01 + 0.16 = 0.26; / (3 - 1)
  EXPECT_NEAR(cell.mean, 1.3, 1e-12);
  EXPECT_NEAR(cell.std, std::sqrt(0.13), 1e-12);
  EXPECT_EQ(train::format_cell(cell, "error"), "1.30 ± 0.36 (3 seeds, 3 epochs)");
  // The learning curve is the per-epoch mean of the three (identical) curves.
  ASSERT_EQ(cell.curve.size(), 3u);
  EXPECT_DOUBLE_EQ(cell.curve[1].val, 2.0);
  EXPECT_TRUE(t.in_progress.empty());
  EXPECT_NE(train::render_markdown(tables).find("| lat-e | 1.30 ± 0.36 (3 seeds, 3 epochs) |"), std::string::npos);
  // Other cells stay empty.
  EXPECT_TRUE(t.rows[row_index(t, "lat-a")].cells[column_index(t, "mnist-mlp")].empty());
  EXPECT_TRUE(t.rows[row_index(t, "lat-e")].cells[column_index(t, "svhn-vgg")].empty());
}

TEST(Report, OneSeedHasNoStd) {
  TempDir tmp;
  write_fake_run(tmp / "r", lat_e(7, 2.071));
  const auto t = train::build_tables(read_all({tmp.path()}), {})[0];
  EXPECT_EQ(train::format_cell(t.rows[row_index(t, "lat-e")].cells[0], "error"), "2.07 (1 seed, 3 epochs)");
}

TEST(Report, UnfinishedRunsAreListedNotAveraged) {
  TempDir tmp;
  write_fake_run(tmp / "done", lat_e(1, 1.0));
  FakeRun lab;
  lab.method = "lab";
  lab.epochs = 10;
  lab.val = {4.0, 3.0, 2.5, 2.2};
  lab.finished = false;
  write_fake_run(tmp / "lab", lab);
  const auto tables = train::build_tables(read_all({tmp.path()}), {});
  const auto& t = tables[0];
  ASSERT_EQ(t.in_progress.size(), 1u);
  EXPECT_EQ(t.in_progress[0].method, "lab");
  EXPECT_EQ(t.in_progress[0].last_epoch(), 4);
  const auto& cell = t.rows[row_index(t, "lab")].cells[0];
  EXPECT_TRUE(cell.empty());
  EXPECT_TRUE(cell.curve_unfinished_only);
  EXPECT_EQ(cell.curve.size(), 4u);
  EXPECT_NE(train::render_markdown(tables).find("in progress: mnist-mlp lab, epoch 4 of 10"), std::string::npos);
}

TEST(Report, ARedoneEpochReplacesTheEarlierLine) {
  TempDir tmp;
  FakeRun r = lat_e(1, 1.0);
  r.val = {3.0, 2.0};
  r.finished = false;
  write_fake_run(tmp.path(), r);  // epochs 1, 2, then a resume that redid epoch 2
  r.val = {3.0, 1.8, 1.5};
  r.finished = true;
  {
    std::ofstream f(tmp / "results.jsonl", std::ios::app);
    for (size_t e = 1; e < 3; ++e) f << fake_line(r, "epoch", e) << "\n";
    f << fake_line(r, "result", 0) << "\n";
  }
  const auto runs = train::read_results_file(tmp / "results.jsonl");
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_EQ(runs[0].curve.size(), 3u);
  EXPECT_DOUBLE_EQ(runs[0].curve[1].val, 1.8);
  EXPECT_TRUE(runs[0].finished);
}

TEST(Report, BitsSplitRowsOnlyForMethodsThatUseThem) {
  TempDir tmp;
  FakeRun a = lat_e(1, 1.0);
  a.method = "laq-linear";
  a.bits = 2;
  write_fake_run(tmp / "a", a);
  a.bits = 3;
  write_fake_run(tmp / "b", a);
  FakeRun f = lat_e(1, 1.1);
  f.method = "fpn";
  f.bits = 2;  // ignored by fpn: same row as the default 3
  write_fake_run(tmp / "c", f);
  const auto t = train::build_tables(read_all({tmp.path()}), {})[0];
  ASSERT_EQ(t.rows.size(), 14u);
  EXPECT_EQ(t.rows.back().label, "laq-linear (2 bits)");
  EXPECT_EQ(t.rows.back().cells[0].n(), 1u);
  EXPECT_EQ(t.rows[row_index(t, "laq-linear (3 bits)")].cells[0].n(), 1u);
  EXPECT_EQ(t.rows[row_index(t, "full precision")].cells[0].n(), 1u);
}

TEST(Report, PaperNumbersLandInTheirCellOnly) {
  TempDir tmp;
  write_fake_run(tmp / "r", lat_e(1, 1.0));
  {
    std::ofstream f(tmp / "paper.csv");
    f << "# comment\ntable,dataset,method,bits,value,source\n"
      << "feedforward,mnist,lab,,1.170,LAB paper, feedforward table\n"
      << "feedforward,svhn,laq-log,3,2.000,made-up source for the test\n"
      << "lstm,warpeace,bwn,,1.312,LAB paper, LSTM table\n";
  }
  const auto paper = train::read_paper_numbers(tmp / "paper.csv");
  ASSERT_EQ(paper.size(), 3u);
  EXPECT_EQ(paper[0].source, "LAB paper, feedforward table");
  const auto ff = train::build_tables(read_all({tmp / "r"}), paper, "feedforward")[0];
  const auto& lab = ff.rows[row_index(ff, "lab")];
  ASSERT_TRUE(lab.cells[column_index(ff, "mnist-mlp")].paper.has_value());
  EXPECT_EQ(lab.cells[column_index(ff, "mnist-mlp")].paper->value, "1.170");
  EXPECT_FALSE(lab.cells[column_index(ff, "cifar10-vgg")].paper.has_value());
  EXPECT_FALSE(ff.rows[row_index(ff, "lat-e")].cells[0].paper.has_value());
  EXPECT_EQ(ff.rows[row_index(ff, "laq-log (3 bits)")].cells[column_index(ff, "svhn-vgg")].paper->value, "2.000");
  const std::string md = train::render_markdown({ff});
  EXPECT_NE(md.find("| lab |  | 1.170 |  |  |"), std::string::npos) << md;
  EXPECT_NE(md.find("| twn |  |  |  |  |  |  |  |  |"), std::string::npos) << md;
  const auto lstm = train::build_tables({}, paper, "lstm")[0];
  EXPECT_EQ(lstm.columns.size(), 3u);
  EXPECT_EQ(lstm.rows[row_index(lstm, "bwn")].cells[column_index(lstm, "warpeace-lstm")].paper->value, "1.312");
  EXPECT_FALSE(lstm.rows[row_index(lstm, "bwn")].cells[column_index(lstm, "linux-lstm")].paper.has_value());
}

TEST(Report, TheShippedPaperNumbersMatchSpecSection41) {
  const fs::path csv = fs::path(__FILE__).parent_path().parent_path().parent_path() / "docs" / "paper_numbers.csv";
  const auto paper = train::read_paper_numbers(csv);
  EXPECT_EQ(paper.size(), 20u);  // 3 datasets x 4 methods feedforward, 2 x 4 LSTM
  const auto ff = train::build_tables({}, paper, "feedforward")[0];
  EXPECT_EQ(ff.rows[row_index(ff, "full precision")].cells[column_index(ff, "mnist-mlp")].paper->value, "1.190");
  EXPECT_EQ(ff.rows[row_index(ff, "bc")].cells[column_index(ff, "cifar10-vgg")].paper->value, "9.860");
  EXPECT_EQ(ff.rows[row_index(ff, "lab")].cells[column_index(ff, "svhn-vgg")].paper->value, "2.354");
  for (const auto& row : ff.rows) EXPECT_FALSE(row.cells[column_index(ff, "cifar100-vgg")].paper.has_value());
  for (const char* m : {"twn", "ttq", "lat-e", "lat-a", "lat2-e", "lat2-a", "dorefa (3 bits)",
                        "laq-linear (3 bits)", "laq-log (3 bits)"})
    for (const auto& cell : ff.rows[row_index(ff, m)].cells) EXPECT_FALSE(cell.paper.has_value()) << m;
  const auto lstm = train::build_tables({}, paper, "lstm")[0];
  EXPECT_EQ(lstm.rows[row_index(lstm, "lab")].cells[column_index(lstm, "linux-lstm")].paper->value, "1.314");
}

TEST(Report, AMalformedLineNamesTheFileAndLine) {
  TempDir tmp;
  const fs::path file = tmp / "results.jsonl";
  {
    std::ofstream f(file);
    f << fake_line(lat_e(1, 1.0), "epoch", 0) << "\n"
      << R"({"config": {"experiment": "mnist-mlp", "method")"
      << "\n";
  }
  try {
    train::read_results_file(file);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string() + ":2:"), std::string::npos) << e.what();
  }
  // A well-formed line without the result keys is malformed too.
  {
    std::ofstream f(file);
    f << R"({"config": {"experiment": "mnist-mlp", "method": "fpn", "bits": 3, "epochs": 3}, "seed": 1, )"
      << R"("type": "result", "metric": "error", "best_epoch": 2})"
      << "\n";
  }
  try {
    train::read_results_file(file);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string() + ":1:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("best_val_error"), std::string::npos) << e.what();
  }
}

// laq table --report's mode: each malformed line is skipped with a warning naming file and
// line; the good lines around it still count, and a skipped result line leaves its run
// unfinished (listed as in progress), never a wrong number.
TEST(Report, SkippingModeWarnsPerLineAndKeepsTheRest) {
  TempDir tmp;
  const fs::path file = tmp / "results.jsonl";
  FakeRun run = lat_e(1, 1.0);
  {
    std::ofstream f(file, std::ios::binary);
    f << fake_line(run, "epoch", 0) << "\n";
    f << R"({"a": "\uZZ"})"
      << "\n";                             // 2: bad escape
    f << std::string(50000, '[') << "\n";  // 3: deep nesting, an array line
    f << R"({"type": "epoch", "type": "result"})"
      << "\n";  // 4: duplicated key
    std::string huge = fake_line(run, "epoch", 0);
    huge.replace(huge.find("\"epoch\": 1"), 10, "\"epoch\": 1e300");
    f << huge << "\n";                                        // 5: an epoch no int64 holds
    f << std::string("{\"type\": \"ep\0och\"}", 18) << "\n";  // 6: NUL byte
    f << "{\"type\": \"\xff\"}\n";                            // 7: invalid UTF-8
    f << fake_line(run, "result", 0).substr(0, 100) << "\n";  // 8: truncated
    f << fake_line(run, "epoch", 1) << "\n";
  }
  std::vector<std::string> skipped;
  const auto runs = train::read_results_file(file, &skipped);
  ASSERT_EQ(skipped.size(), 7u);
  for (size_t i = 0; i < skipped.size(); ++i)
    EXPECT_EQ(skipped[i].rfind(file.string() + ":" + std::to_string(i + 2) + ": malformed results line skipped", 0), 0u)
        << skipped[i];
  EXPECT_NE(skipped[3].find("whole number"), std::string::npos) << skipped[3];
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].finished);
  EXPECT_EQ(runs[0].last_epoch(), 2);
  EXPECT_THROW(train::read_results_file(file), Error);  // the strict mode refuses the file
}

TEST(Report, AMissingRootIsAnError) {
  TempDir tmp;
  EXPECT_THROW(train::find_results_files({tmp / "nope"}), Error);
}

// What the paper's table needs beside mean +- std: each seed's value, its best epoch, and the
// compression of the exported best model, read from the model.json `laq export` writes.
TEST(Report, SeedDetailsGiveEverySeedItsBestEpochAndTheExportedCompression) {
  TempDir tmp;
  FakeRun a = lat_e(1, 1.0), b = lat_e(2, 1.2);
  b.best_epoch = 2;
  write_fake_run(tmp / "s1", a);
  write_fake_run(tmp / "s2", b);
  train::PackedModelInfo info;
  info.quantized.push_back({});
  info.quantized[0].packed_bytes = 100;
  info.quantized[0].float_bytes = 1600;
  info.float_parameter_bytes = 40;
  train::write_model_summary(tmp / "s1/model.json", info, "best.h5", 3);
  // An export of another epoch than the best is not the reported model: it is ignored.
  train::write_model_summary(tmp / "s2/model.json", info, "best.h5", 3);
  const auto runs = read_all({tmp.path()});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_TRUE(runs[0].model.has_value());
  EXPECT_FALSE(runs[1].model.has_value());
  const auto tables = train::build_tables(runs, {});
  const auto& cell = tables[0].rows[row_index(tables[0], "lat-e")].cells[0];
  EXPECT_EQ(cell.best_epochs, (std::vector<int64_t>{3, 2}));
  ASSERT_TRUE(cell.model.has_value());
  EXPECT_DOUBLE_EQ(cell.model->quantized_ratio(), 16.0);
  EXPECT_DOUBLE_EQ(cell.model->ratio(), double(info.total_float_bytes()) / double(info.total_packed_bytes()));
  const std::string details = train::render_seed_details(tables);
  EXPECT_NE(details.find("| MNIST | lat-e | 1.10 ± 0.14 | seed 1: 1.00 (3), seed 2: 1.20 (2) | 3 |"),
            std::string::npos)
      << details;
  EXPECT_NE(details.find("(quantized tensors 16.0x)"), std::string::npos) << details;
  const std::string csv = train::render_csv(tables);
  EXPECT_NE(csv.find(",1 1.2,3 2,"), std::string::npos) << csv;
}

TEST(Report, AModelSummaryThatIsNotOneNamesItsFile) {
  TempDir tmp;
  write_fake_run(tmp.path(), lat_e(1, 1.0));
  { std::ofstream(tmp / "model.json") << "{\"source\": \"best.h5\"}\n"; }
  try {
    train::read_results_file(tmp / "results.jsonl");
    FAIL() << "a model.json without sizes was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace laq::test
