#include "train/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "engine/error.h"
#include "train/experiments/preset.h"

namespace laq::train {

namespace {

struct ColumnDef {
  std::string table;
  Column column;
};
// The registered experiments' columns, in the paper's order.
const std::vector<ColumnDef>& known_columns() {
  static const std::vector<ColumnDef> all = [] {
    std::vector<ColumnDef> c;
    for (const auto& p : experiment_presets()) c.push_back({p.table, {p.defaults.name, p.dataset, p.label}});
    return c;
  }();
  return all;
}

std::string table_of(const RunRecord& r) {
  for (const auto& c : known_columns())
    if (c.column.experiment == r.experiment) return c.table;
  return r.metric == "error" ? "feedforward" : "lstm";
}

std::string join_int(const std::vector<int64_t>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

// ---- grouping -----------------------------------------------------------------------

std::vector<ReportTable> build_tables(const std::vector<RunRecord>& runs, const std::vector<PaperNumber>& paper,
                                      const std::string& which) {
  if (!which.empty() && which != "feedforward" && which != "lstm")
    throw Error("unknown table '" + which + "' (expected feedforward or lstm)");
  std::vector<std::string> names;
  if (!which.empty()) {
    names = {which};
  } else {
    for (const char* t : {"feedforward", "lstm"})
      if (std::any_of(runs.begin(), runs.end(), [&](const RunRecord& r) { return table_of(r) == t; }))
        names.push_back(t);
    if (names.empty()) names = {"feedforward"};
  }

  std::vector<ReportTable> tables;
  for (const auto& name : names) {
    ReportTable t;
    t.name = name;
    t.metric = name == "feedforward" ? "error" : "cross_entropy";
    for (const auto& c : known_columns())
      if (c.table == name) t.columns.push_back(c.column);
    std::vector<const RunRecord*> mine;
    for (const auto& r : runs)
      if (table_of(r) == name) mine.push_back(&r);
    for (const RunRecord* r : mine) {  // experiments this build does not know: extra columns
      const bool known = std::any_of(t.columns.begin(), t.columns.end(),
                                     [&](const Column& c) { return c.experiment == r->experiment; });
      if (!known) t.columns.push_back({r->experiment, r->experiment, r->experiment});
    }

    std::vector<RowKey> keys = paper_rows();
    std::set<RowKey> extra;
    for (const RunRecord* r : mine) {
      const RowKey k{r->method, r->bits, r->variant};
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) extra.insert(k);
    }
    // Extra rows follow the paper's row of their method, then the unknown methods.
    auto order = [&](const RowKey& k) {
      for (size_t i = 0; i < paper_rows().size(); ++i)
        if (paper_rows()[i].method == k.method) return i;
      return paper_rows().size();
    };
    std::vector<RowKey> extra_sorted(extra.begin(), extra.end());
    std::stable_sort(extra_sorted.begin(), extra_sorted.end(),
                     [&](const RowKey& a, const RowKey& b) { return order(a) < order(b); });
    keys.insert(keys.end(), extra_sorted.begin(), extra_sorted.end());

    for (const auto& k : keys) {
      ReportRow row;
      row.key = k;
      row.label = row_label(k);
      for (const auto& col : t.columns) {
        CellSummary cell;
        std::vector<const RunRecord*> all;
        for (const RunRecord* r : mine)
          if (r->experiment == col.experiment && RowKey{r->method, r->bits, r->variant} == k) all.push_back(r);
        for (const RunRecord* r : all)
          if (r->finished) {
            cell.values.push_back(r->test_at_best_val);
            cell.seeds.push_back(r->seed);
            cell.epochs.push_back(r->epochs);
            cell.best_epochs.push_back(r->best_epoch);
            if (!cell.model && r->model) cell.model = r->model;
          }
        if (!cell.values.empty()) {
          double s = 0;
          for (double v : cell.values) s += v;
          cell.mean = s / double(cell.n());
          double ss = 0;
          for (double v : cell.values) ss += (v - cell.mean) * (v - cell.mean);
          cell.std = cell.n() > 1 ? std::sqrt(ss / double(cell.n() - 1)) : 0.0;
          std::set<int64_t> budgets(cell.epochs.begin(), cell.epochs.end());
          if (budgets.size() > 1)
            t.notes.push_back(col.label + " / " + row.label + " mixes epoch budgets " +
                              join_int(std::vector<int64_t>(budgets.begin(), budgets.end()), ", "));
          std::set<int64_t> seeds(cell.seeds.begin(), cell.seeds.end());
          if (seeds.size() < cell.seeds.size())
            t.notes.push_back(col.label + " / " + row.label + " has several runs with the same seed");
        }
        // The learning curve: the finished runs when there are any, else the unfinished ones.
        std::vector<const RunRecord*> curve_runs;
        for (const RunRecord* r : all)
          if (r->finished == !cell.values.empty()) curve_runs.push_back(r);
        cell.curve_unfinished_only = cell.values.empty() && !curve_runs.empty();
        std::map<int64_t, std::pair<double, int>> sum;
        for (const RunRecord* r : curve_runs)
          for (const auto& p : r->curve) sum[p.epoch].first += p.val, sum[p.epoch].second += 1;
        for (const auto& [e, s] : sum) cell.curve.push_back({e, s.first / s.second});
        for (const auto& p : paper)
          if (p.table == name && p.dataset == col.dataset && p.method == k.method && p.bits == k.bits &&
              k.variant.empty())
            cell.paper = p;
        row.cells.push_back(std::move(cell));
      }
      t.rows.push_back(std::move(row));
    }
    for (const RunRecord* r : mine)
      if (!r->finished) t.in_progress.push_back(*r);
    tables.push_back(std::move(t));
  }
  return tables;
}

// ---- rendering ----------------------------------------------------------------------

std::string format_value(double value, const std::string& metric) {
  char buf[32];
  std::snprintf(buf, sizeof buf, metric == "error" ? "%.2f" : "%.3f", value);
  return buf;
}

std::string format_cell(const CellSummary& cell, const std::string& metric) {
  if (cell.empty()) return "";
  std::string s = format_value(cell.mean, metric);
  if (cell.n() > 1) s += " ± " + format_value(cell.std, metric);
  std::set<int64_t> budgets(cell.epochs.begin(), cell.epochs.end());
  std::vector<int64_t> b(budgets.begin(), budgets.end());
  s += " (" + std::to_string(cell.n()) + (cell.n() == 1 ? " seed, " : " seeds, ") + join_int(b, "/") + " epochs)";
  return s;
}

std::string render_markdown(const std::vector<ReportTable>& tables) {
  std::ostringstream o;
  for (size_t ti = 0; ti < tables.size(); ++ti) {
    const ReportTable& t = tables[ti];
    if (ti) o << "\n";
    o << (t.name == "feedforward" ? "### Feedforward networks: test error (%) at the best-validation epoch\n\n"
                                  : "### LSTM: test cross-entropy (nats per character) at the best-validation epoch\n\n");
    o << "| method |";
    for (const auto& c : t.columns) o << " " << c.label << " | " << c.label << " (paper) |";
    o << "\n|---|";
    for (size_t i = 0; i < t.columns.size(); ++i) o << "---|---|";
    o << "\n";
    for (const auto& row : t.rows) {
      o << "| " << row.label << " |";
      for (const auto& cell : row.cells)
        o << " " << format_cell(cell, t.metric) << " | " << (cell.paper ? cell.paper->value : "") << " |";
      o << "\n";
    }
    std::set<std::string> sources;
    for (const auto& row : t.rows)
      for (const auto& cell : row.cells)
        if (cell.paper) sources.insert(cell.paper->source);
    o << "\nEach cell: mean ± sample standard deviation over the finished runs (seeds) of the test "
      << (t.metric == "error" ? "error" : "cross-entropy")
      << " at the epoch of best validation. Paper numbers are left empty where no source gives one.\n";
    for (const auto& s : sources) o << "Paper numbers: " << s << "\n";
    for (const auto& n : t.notes) o << "Note: " << n << "\n";
    if (!t.in_progress.empty()) {
      o << "\n";
      for (const auto& r : t.in_progress) {
        o << "- in progress: " << r.experiment << " " << row_label({r.method, r.bits, r.variant}) << ", epoch "
          << r.last_epoch() << " of " << r.epochs << " (seed " << r.seed << ", " << r.file << ")\n";
      }
    }
  }
  return o.str();
}

std::string render_seed_details(const std::vector<ReportTable>& tables) {
  std::ostringstream o;
  for (const ReportTable& t : tables) {
    bool any = false;
    for (const auto& row : t.rows)
      for (const auto& cell : row.cells) any = any || !cell.empty();
    if (!any) continue;
    o << "\n#### " << (t.name == "feedforward" ? "Feedforward" : "LSTM") << ": every seed\n\n"
      << "| dataset | method | mean ± std | each seed: test " << (t.metric == "error" ? "error" : "cross-entropy")
      << " (best-validation epoch) | epochs | exported model vs float32 |\n|---|---|---|---|---|---|\n";
    for (const auto& row : t.rows)
      for (size_t c = 0; c < t.columns.size(); ++c) {
        const CellSummary& cell = row.cells[c];
        if (cell.empty()) continue;
        o << "| " << t.columns[c].label << " | " << row.label << " | " << format_value(cell.mean, t.metric);
        if (cell.n() > 1) o << " ± " << format_value(cell.std, t.metric);
        o << " |";
        for (size_t i = 0; i < cell.n(); ++i)
          o << (i ? ", " : " ") << "seed " << cell.seeds[i] << ": " << format_value(cell.values[i], t.metric) << " ("
            << cell.best_epochs[i] << ")";
        std::set<int64_t> budgets(cell.epochs.begin(), cell.epochs.end());
        o << " | " << join_int(std::vector<int64_t>(budgets.begin(), budgets.end()), "/") << " | ";
        if (row.key.method == "fpn") {
          o << "1x (float32)";
        } else if (cell.model) {
          char buf[96];
          std::snprintf(buf, sizeof buf, "%.1fx (quantized tensors %.1fx)", cell.model->ratio(),
                        cell.model->quantized_ratio());
          o << buf;
        }
        o << " |\n";
      }
    o << "\nCompression: `laq export --checkpoint RUN/best.h5` of the first seed (model.json beside the results); "
         "empty where no export was found.\n";
  }
  return o.str();
}

std::string render_csv(const std::vector<ReportTable>& tables) {
  std::ostringstream o;
  o << "table,experiment,dataset,method,bits,variant,runs,mean,std,seeds,epochs,paper,paper_source,values,best_epochs,"
       "compression,compression_quantized\n";
  for (const auto& t : tables)
    for (const auto& row : t.rows)
      for (size_t c = 0; c < t.columns.size(); ++c) {
        const CellSummary& cell = row.cells[c];
        if (cell.empty() && !cell.paper) continue;
        const Column& col = t.columns[c];
        char mean[32] = "", sd[32] = "";
        if (!cell.empty()) {
          std::snprintf(mean, sizeof mean, "%.6g", cell.mean);
          std::snprintf(sd, sizeof sd, "%.6g", cell.std);
        }
        o << t.name << "," << col.experiment << "," << col.dataset << "," << row.key.method << ","
          << (row.key.bits ? std::to_string(row.key.bits) : "") << "," << row.key.variant << "," << cell.n() << ","
          << mean << "," << sd << "," << join_int(cell.seeds, " ") << "," << join_int(cell.epochs, " ") << ","
          << (cell.paper ? cell.paper->value : "") << "," << csv_field(cell.paper ? cell.paper->source : "") << ",";
        for (size_t i = 0; i < cell.n(); ++i) {
          char v[32];
          std::snprintf(v, sizeof v, "%.6g", cell.values[i]);
          o << (i ? " " : "") << v;
        }
        o << "," << join_int(cell.best_epochs, " ") << ",";
        if (cell.model) {
          char r[64];
          std::snprintf(r, sizeof r, "%.3f,%.3f", cell.model->ratio(), cell.model->quantized_ratio());
          o << r;
        } else {
          o << ",";
        }
        o << "\n";
      }
  return o.str();
}

}  // namespace laq::train
