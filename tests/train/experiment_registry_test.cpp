// Every registered experiment preset is complete, so that adding one in
// train/experiments/ cannot leave the trainer, the report or the sweep planner without it.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "engine/autograd.h"
#include "engine/error.h"
#include "train/experiment.h"
#include "train/experiments/preset.h"
#include "train/report.h"
#include "train/sweep_plan.h"

namespace laq::train {
namespace {

TEST(ExperimentRegistry, EveryPresetIsComplete) {
  ASSERT_FALSE(experiment_presets().empty());
  std::set<std::string> names, datasets, labels;
  for (const ExperimentPreset& p : experiment_presets()) {
    const ExperimentDefaults& d = p.defaults;
    SCOPED_TRACE(d.name);
    EXPECT_FALSE(d.name.empty());
    EXPECT_TRUE(names.insert(d.name).second) << "name registered twice";
    EXPECT_FALSE(d.description.empty());
    EXPECT_FALSE(d.data_subdir.empty());
    EXPECT_GT(d.epochs, 0);
    EXPECT_GT(d.batch, 0);
    EXPECT_GT(d.lr, 0);
    EXPECT_FALSE(d.schedule.empty());
    // The report's column.
    EXPECT_TRUE(p.table == "feedforward" || p.table == "lstm") << p.table;
    EXPECT_FALSE(p.dataset.empty());
    EXPECT_TRUE(datasets.insert(p.dataset).second) << "dataset registered twice";
    EXPECT_FALSE(p.label.empty());
    EXPECT_TRUE(labels.insert(p.label).second) << "column label registered twice";
    // The sweep planner finds a preset by its dataset through data_subdir.
    EXPECT_EQ(p.dataset, d.data_subdir);
    // A table reports one metric: error for the feedforward one, cross-entropy for the LSTMs.
    EXPECT_EQ(d.metric, p.table == "feedforward" ? Metric::error_percent : Metric::cross_entropy);
    EXPECT_GT(p.step_seconds, 0);
    EXPECT_GT(p.full_steps_per_epoch, 0);
    EXPECT_NE(p.build_model, nullptr);
    EXPECT_NE(p.load_data, nullptr);
    EXPECT_EQ(p.load_char_corpus != nullptr, p.table == "lstm") << "a language model needs its corpus";
  }
}

TEST(ExperimentRegistry, TheLookupsSeeEveryPreset) {
  ASSERT_EQ(experiments().size(), experiment_presets().size());
  for (size_t i = 0; i < experiment_presets().size(); ++i) {
    const ExperimentPreset& p = experiment_presets()[i];
    EXPECT_EQ(experiments()[i].name, p.defaults.name);
    EXPECT_EQ(&experiment(p.defaults.name), &experiments()[i]);
    EXPECT_EQ(find_experiment_preset(p.defaults.name), &p);
    EXPECT_EQ(step_seconds(p.defaults.name), p.step_seconds);
    EXPECT_EQ(full_steps_per_epoch(p.defaults.name), p.full_steps_per_epoch);
    const auto cols = table_datasets(p.table);
    EXPECT_NE(std::find(cols.begin(), cols.end(), p.dataset), cols.end()) << p.defaults.name;
  }
  EXPECT_EQ(find_experiment_preset("no-such-experiment"), nullptr);
}

TEST(ExperimentRegistry, EveryPresetHasItsReportColumn) {
  for (const char* table : {"feedforward", "lstm"}) {
    const std::vector<ReportTable> t = build_tables({}, {}, table);
    ASSERT_EQ(t.size(), 1u);
    std::vector<std::string> want, got;
    for (const ExperimentPreset& p : experiment_presets())
      if (p.table == table) want.push_back(p.defaults.name + "|" + p.dataset + "|" + p.label);
    for (const Column& c : t[0].columns) got.push_back(c.experiment + "|" + c.dataset + "|" + c.label);
    EXPECT_EQ(got, want) << table;
  }
}

// The network a preset declares is the one its model is: a batch of input_shape(network)
// goes through the built model and gives one row of scores per target.
TEST(ExperimentRegistry, EveryPresetsNetworkTakesItsInputShape) {
  for (const ExperimentPreset& p : experiment_presets()) {
    SCOPED_TRACE(p.defaults.name);
    EXPECT_EQ(p.network == Network::char_lstm, p.table == "lstm");
    EXPECT_EQ(experiment_network(p.defaults.name), p.network);
    RunConfig c;
    c.experiment = p.defaults.name;
    c.vocab = 37;
    const std::unique_ptr<layers::Module> model = build_model(c);
    const engine::Shape shape = input_shape(p.network, 2);
    const int64_t targets = p.network == Network::char_lstm ? shape[0] * shape[1] : shape[0];
    engine::Var out = model->forward(engine::constant(engine::Tensor(shape)), false);
    ASSERT_EQ(out->value.rank(), 2) << "scores are [targets, classes]";
    EXPECT_EQ(out->value.dim(0), targets);
  }
  EXPECT_THROW(experiment_network("mnist-resnet"), Error);
}

// `laq bench --model` times one preset of each network, found by the registry, not by name.
TEST(ExperimentRegistry, BenchTimesOnePresetOfEachNetwork) {
  std::set<Network> benched;
  for (const ExperimentPreset& p : experiment_presets()) {
    if (p.bench_model.empty()) continue;
    EXPECT_TRUE(benched.insert(p.network).second) << p.bench_model << ": a second benched preset of its network";
    EXPECT_EQ(bench_experiment(p.bench_model), p.defaults.name);
  }
  EXPECT_EQ(benched, (std::set<Network>{Network::mlp, Network::vgg, Network::char_lstm}));
  EXPECT_EQ(bench_models(), "mlp, vgg, lstm");
  EXPECT_EQ(bench_experiment("resnet"), "");
  EXPECT_EQ(bench_experiment(""), "");
}

// The paper's column order, which the tables and sweeps print.
TEST(ExperimentRegistry, PresetsComeInThePapersColumnOrder) {
  std::vector<std::string> names;
  for (const ExperimentPreset& p : experiment_presets()) names.push_back(p.defaults.name);
  EXPECT_EQ(names, (std::vector<std::string>{"mnist-mlp", "cifar10-vgg", "cifar100-vgg", "svhn-vgg", "warpeace-lstm",
                                             "linux-lstm", "ptb-lstm"}));
}

}  // namespace
}  // namespace laq::train
