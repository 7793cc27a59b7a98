#include "train/results_file.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "engine/error.h"
#include "train/json_reader.h"
#include "train/table_rows.h"
#include "train/text_input.h"

namespace laq::train {
namespace fs = std::filesystem;

namespace {

using Value = JsonValue;
using Flat = FlatJson;

const Value& need(const Flat& f, const std::string& key, Value::Kind kind) {
  const auto it = f.find(key);
  if (it == f.end()) throw Error("missing key \"" + key + "\"");
  if (it->second.kind != kind)
    throw Error("key \"" + key + "\" is not a " + (kind == Value::number ? "number" : "string"));
  return it->second;
}
double need_number(const Flat& f, const std::string& key) { return need(f, key, Value::number).num; }
// Counts (epochs, bits, seeds): a whole number a double holds exactly, so the cast is defined.
int64_t need_integer(const Flat& f, const std::string& key) {
  const double v = need_number(f, key);
  if (v != std::floor(v) || std::fabs(v) > 9007199254740992.0)
    throw Error("key \"" + key + "\" is not a whole number in range");
  return static_cast<int64_t>(v);
}
std::string need_string(const Flat& f, const std::string& key) { return need(f, key, Value::string).str; }
bool flag(const Flat& f, const std::string& key) {
  const auto it = f.find(key);
  return it != f.end() && it->second.kind == Value::boolean && it->second.num != 0;
}

// The run's identity, from the config object of any of its lines.
void read_identity(const Flat& f, RunRecord& r) {
  r.experiment = need_string(f, "config.experiment");
  r.method = need_string(f, "config.method");
  const RowKey key = row_key(r.method, need_integer(f, "config.bits"),
                             flag(f, "config.code_faithful") ? "code-faithful"
                             : flag(f, "config.per_channel") ? "per-channel"
                                                             : "");
  r.bits = key.bits;
  r.variant = key.variant;
  r.epochs = need_integer(f, "config.epochs");
  r.seed = need_integer(f, "seed");
  // Results written before the "metric" key existed: the metric is the stem of the keys.
  if (f.count("metric")) r.metric = need_string(f, "metric");
  else if (f.count("val_error") || f.count("best_val_error")) r.metric = "error";
  else if (f.count("val_cross_entropy") || f.count("best_val_cross_entropy")) r.metric = "cross_entropy";
  else throw Error("missing key \"metric\"");
  if (r.metric != "error" && r.metric != "cross_entropy")
    throw Error("unknown metric \"" + r.metric + "\" (expected error or cross_entropy)");
}

}  // namespace

std::vector<fs::path> find_results_files(const std::vector<fs::path>& roots) {
  std::vector<fs::path> files;
  for (const auto& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) throw Error(root.string() + " is not a folder");
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) throw Error("cannot list " + root.string() + ": " + ec.message());
      if (it->path().filename() == "results.jsonl" && it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) throw Error("cannot list " + root.string() + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

std::vector<RunRecord> read_results_file(const fs::path& file, std::vector<std::string>* skipped) {
  std::ifstream in = open_text_input(file, "results file");
  std::vector<RunRecord> runs;
  RunRecord cur;
  bool open = false;
  int64_t n = 0;
  for (std::string text; std::getline(in, text);) {
    ++n;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    // A line is taken whole or not at all: a skipped one leaves the run as it was.
    RunRecord next = open ? cur : RunRecord{};
    try {
      const Flat f = parse_json_line(text);
      const std::string type = need_string(f, "type");
      if (type != "epoch" && type != "result") throw Error("unknown line type \"" + type + "\"");
      if (!open) {
        next.file = file.string();
        next.line = n;
      }
      read_identity(f, next);
      const std::string m = next.metric;
      if (type == "epoch") {
        const EpochPoint p{need_integer(f, "epoch"), need_number(f, "val_" + m)};
        while (!next.curve.empty() && next.curve.back().epoch >= p.epoch) next.curve.pop_back();
        next.curve.push_back(p);
        cur = std::move(next);
        open = true;
      } else {
        next.finished = true;
        next.best_epoch = need_integer(f, "best_epoch");
        next.best_val = need_number(f, "best_val_" + m);
        next.test_at_best_val = need_number(f, "test_" + m + "_at_best_val");
        runs.push_back(std::move(next));
        open = false;
      }
    } catch (const Error& e) {
      const std::string where = file.string() + ":" + std::to_string(n) + ": malformed results line";
      if (!skipped) throw Error(where + ": " + e.what());
      skipped->push_back(where + " skipped: " + e.what());
    }
  }
  if (in.bad()) throw Error("cannot read " + file.string());
  if (open) runs.push_back(std::move(cur));
  // The exported model beside the results belongs to the finished run whose best epoch it holds.
  const fs::path summary = file.parent_path() / "model.json";
  std::error_code ec;
  if (fs::is_regular_file(summary, ec)) {
    const ModelSize m = read_model_size(summary);
    for (auto& r : runs)
      if (r.finished && m.source == "best.h5" && m.epoch == r.best_epoch) r.model = m;
  }
  return runs;
}

ModelSize read_model_size(const fs::path& file) {
  std::ifstream in(file);
  std::string text;
  if (!in || !std::getline(in, text)) throw Error("cannot read " + file.string());
  try {
    const Flat f = parse_json_line(text);
    ModelSize m;
    m.source = need_string(f, "source");
    m.epoch = static_cast<int64_t>(need_number(f, "epoch"));
    m.quantized_packed_bytes = static_cast<int64_t>(need_number(f, "quantized_packed_bytes"));
    m.quantized_float_bytes = static_cast<int64_t>(need_number(f, "quantized_float_bytes"));
    m.total_packed_bytes = static_cast<int64_t>(need_number(f, "total_packed_bytes"));
    m.total_float_bytes = static_cast<int64_t>(need_number(f, "total_float_bytes"));
    if (m.total_packed_bytes <= 0 || m.total_float_bytes <= 0) throw Error("sizes must be positive");
    return m;
  } catch (const Error& e) {
    throw Error(file.string() + ": not a model summary written by laq export: " + e.what());
  }
}

}  // namespace laq::train
