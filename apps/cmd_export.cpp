// laq export: a trained run's quantized weights packed at their real bit width (HDF5).
// laq inspect: what a packed model holds, what it costs, and (with --evaluate) its error.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "apps/commands.h"
#include "apps/options.h"
#include "engine/error.h"
#include "engine/threads.h"
#include "train/checkpoint.h"
#include "train/out_path.h"
#include "train/packed_model.h"
#include "train/trainer.h"

namespace laq::apps {
namespace fs = std::filesystem;

int run_export(int argc, char** argv) {
  std::string checkpoint, out;
  bool evaluate = false;
  po::options_description o("laq export options");
  o.add_options()("help,h", "show this help")("checkpoint", po::value(&checkpoint)->required(), "a run's checkpoint.h5")("out", po::value(&out),
                                                                                                                         "packed model file (default: model.h5 beside the checkpoint); its sizes also go to "
                                                                                                                         "the .json of the same name, which laq table --report reads")("evaluate", po::bool_switch(&evaluate), "also print the test error of the weights being exported");
  po::variables_map vm;
  if (!parse_or_help(argc, argv, o, vm, "usage: laq export --checkpoint RUN/checkpoint.h5 [--out FILE] [--evaluate]"))
    return 0;
  if (out.empty()) out = (fs::path(checkpoint).parent_path() / "model.h5").string();
  // Never over the checkpoint, another run file or a file that is not an earlier export.
  try {
    train::check_output_file(out, "--out", {checkpoint}, train::is_packed_model_file, "packed model written by laq export");
  } catch (const Error& e) {
    throw UsageError(e.what());
  }

  const train::RunConfig config = train::read_checkpoint_config(checkpoint);
  engine::set_threads(static_cast<int>(config.threads));
  train::Session session = train::make_session(config);
  train::Progress progress;
  train::load_checkpoint(checkpoint, progress, session.state());
  train::export_packed_model(out, config, session);
  const train::PackedModelInfo info = train::read_packed_model_info(out);
  const fs::path summary = train::model_summary_path(out);
  train::write_model_summary(summary, info, fs::path(checkpoint).filename().string(), progress.epoch - 1);
  std::printf("exported %s (%s, epoch %lld) -> %s: %.2f MB packed, %.2f MB as float32 (%.1fx)\n",
              checkpoint.c_str(), config.method.c_str(), (long long)progress.epoch - 1, out.c_str(),
              info.total_packed_bytes() / 1e6, info.total_float_bytes() / 1e6,
              double(info.total_float_bytes()) / double(info.total_packed_bytes()));
  if (evaluate) {
    const train::ClassificationData data = train::load_data(config);
    const auto& e = train::experiment(config.experiment);
    std::printf("test %s of the exported weights: %s\n", train::metric_key(e.metric),
                train::format_metric(e.metric, train::evaluate(session, data.test, config.batch, e)).c_str());
  }
  return 0;
}

int run_inspect(int argc, char** argv) {
  std::string file, data_dir;
  bool evaluate = false;
  po::options_description o("laq inspect options");
  o.add_options()("help,h", "show this help")("file", po::value(&file)->required(), "a packed model written by laq export")("evaluate", po::bool_switch(&evaluate), "reload the packed model and print its test error")("data", po::value(&data_dir), "dataset folder for --evaluate (default: the run's; only with --evaluate)");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(o).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: laq inspect FILE [--evaluate] [--data DIR]\n\n"
                << o << "\n"
                << kFlagRule << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  refuse_without_effect(vm, "data", evaluate, "it is the data set of --evaluate");

  const train::PackedModelInfo info = train::read_packed_model_info(file);
  std::printf("%s: %s, method %s\n\n", file.c_str(), info.config.experiment.c_str(), info.config.method.c_str());
  std::printf("%-14s %-10s %4s %-22s %6s %12s %12s %7s\n", "tensor", "method", "bits", "scales (+, -)", "zeros",
              "packed B", "float32 B", "ratio");
  for (const auto& t : info.quantized) {
    char scales[64];
    if (t.rows == 1) std::snprintf(scales, sizeof scales, "%.4g, %.4g", t.scales[0].positive, t.scales[0].negative);
    else std::snprintf(scales, sizeof scales, "%lld rows", (long long)t.rows);
    std::printf("%-14s %-10s %4lld %-22s %5.1f%% %12lld %12lld %6.1fx\n", t.name.c_str(), t.method.c_str(),
                (long long)t.code_bits, scales, 100 * t.zero_fraction, (long long)t.packed_bytes,
                (long long)t.float_bytes, double(t.float_bytes) / double(t.packed_bytes));
  }
  int64_t qp = 0, qf = 0;
  for (const auto& t : info.quantized) qp += t.packed_bytes, qf += t.float_bytes;
  std::printf("\nquantized tensors: %lld bytes packed vs %lld as float32: %.1fx\n", (long long)qp, (long long)qf,
              double(qf) / double(qp));
  std::printf("whole model (with %lld bytes of float32 biases and batch norm): %lld vs %lld bytes: %.1fx\n",
              (long long)info.float_parameter_bytes, (long long)info.total_packed_bytes(),
              (long long)info.total_float_bytes(), double(info.total_float_bytes()) / double(info.total_packed_bytes()));
  if (evaluate) {
    train::RunConfig config = info.config;
    if (!data_dir.empty()) config.data_dir = data_dir;
    engine::set_threads(static_cast<int>(config.threads));
    train::Session session = train::make_session(config);
    train::load_packed_model(file, session);
    const train::ClassificationData data = train::load_data(config);
    const auto& e = train::experiment(config.experiment);
    std::printf("test %s of the reloaded packed model: %s\n", train::metric_key(e.metric),
                train::format_metric(e.metric, train::evaluate(session, data.test, config.batch, e)).c_str());
  }
  return 0;
}

}  // namespace laq::apps
