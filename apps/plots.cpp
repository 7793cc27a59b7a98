#include "apps/plots.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>

#include "apps/table_files.h"
#include "train/out_path.h"

namespace laq::apps {
namespace fs = std::filesystem;

namespace {

std::string gp_string(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string metric_label(const std::string& metric, const char* which) {
  return metric == "error" ? std::string(which) + " error (%)" : std::string(which) + " cross-entropy (nats/char)";
}

// One color per paper row (and the extra rows after them), the same in both plots.
const char* color(size_t i) {
  static const char* c[] = {"#000000", "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
                            "#f781bf", "#999999", "#66c2a5", "#8da0cb", "#b8860b", "#1b9e77", "#d95f02",
                            "#7570b3", "#e7298a"};
  return c[i % 16];
}

// The epoch budgets of the finished runs among the cells; more than one means the panel would
// set runs of different budgets side by side, which the plots then say in every title.
std::set<int64_t> budgets_of(const std::vector<const train::CellSummary*>& cells) {
  std::set<int64_t> b;
  for (const auto* c : cells) b.insert(c->epochs.begin(), c->epochs.end());
  return b;
}
std::string budget_text(const std::set<int64_t>& b) {
  std::ostringstream s;
  for (int64_t e : b) s << (s.tellp() > 0 ? "/" : "") << e;
  s << " ep";
  return s.str();
}
const char* kMixedBudgets = " - MIXED EPOCH BUDGETS, NOT COMPARABLE";

}  // namespace

std::pair<int, int> write_plot_files(const fs::path& out, const std::vector<train::ReportTable>& tables) {
  std::ostringstream curves, bars;
  int curve_panels = 0, bar_panels = 0;
  for (const auto& t : tables) {
    // Learning curves: one panel per dataset with any epoch lines.
    for (size_t c = 0; c < t.columns.size(); ++c) {
      std::vector<size_t> rows;
      int64_t max_epoch = 0;
      for (size_t r = 0; r < t.rows.size(); ++r)
        if (!t.rows[r].cells[c].curve.empty()) {
          rows.push_back(r);
          max_epoch = std::max(max_epoch, t.rows[r].cells[c].curve.back().epoch);
        }
      if (rows.empty()) continue;
      ++curve_panels;
      const std::string dat = "curves_" + t.columns[c].experiment + ".dat";
      std::ostringstream d;
      d << "# validation " << t.metric << " per epoch, mean over the runs of each method; ? = no value\n# epoch";
      for (size_t r : rows) d << "\t" << t.rows[r].label;
      d << "\n";
      for (int64_t e = 1; e <= max_epoch; ++e) {
        d << e;
        for (size_t r : rows) {
          std::string v = "?";
          for (const auto& p : t.rows[r].cells[c].curve)
            if (p.epoch == e) v = std::to_string(p.val);
          d << "\t" << v;
        }
        d << "\n";
      }
      write_file(train::path_under(out, dat, "experiment '" + t.columns[c].experiment + "' of a results file"), d.str());
      std::vector<const train::CellSummary*> shown;
      for (size_t r : rows) shown.push_back(&t.rows[r].cells[c]);
      const bool mixed = budgets_of(shown).size() > 1;
      curves << "set title "
             << gp_string(t.columns[c].label + " (" + t.columns[c].experiment + ")" + (mixed ? kMixedBudgets : ""))
             << "\n"
             << "set ylabel " << gp_string(metric_label(t.metric, "validation")) << "\n"
             << "plot ";
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& row = t.rows[rows[i]];
        const std::string title = row.label + (row.cells[c].curve_unfinished_only ? " (in progress)" : "") +
                                  (mixed ? " [" + budget_text(budgets_of({&row.cells[c]})) + "]" : "");
        curves << (i ? ", \\\n     " : "") << gp_string(dat) << " using 1:" << i + 2
               << " with linespoints lw 2 pt " << (rows[i] % 12) + 1 << " ps 0.8 lc rgb " << gp_string(color(rows[i]))
               << (row.cells[c].curve_unfinished_only ? " dt 2" : "") << " title " << gp_string(title);
      }
      curves << "\n";
    }

    // Bars: the test metric per method, one group per dataset with finished runs.
    std::vector<size_t> cols, rows;
    for (size_t c = 0; c < t.columns.size(); ++c)
      for (const auto& row : t.rows)
        if (!row.cells[c].empty()) {
          cols.push_back(c);
          break;
        }
    for (size_t r = 0; r < t.rows.size(); ++r)
      for (size_t c : cols)
        if (!t.rows[r].cells[c].empty()) {
          rows.push_back(r);
          break;
        }
    if (cols.empty()) continue;
    ++bar_panels;
    const std::string dat = "table_" + t.name + ".dat";
    std::ostringstream d;
    d << "# test " << t.metric << " at best validation: mean and sample std per method; ? = no finished run\n"
      << "# dataset";
    for (size_t r : rows) d << "\t" << t.rows[r].label << "\t(std)";
    d << "\n";
    for (size_t c : cols) {
      d << gp_string(t.columns[c].label);
      for (size_t r : rows) {
        const auto& cell = t.rows[r].cells[c];
        if (cell.empty()) d << "\t?\t?";
        else d << "\t" << cell.mean << "\t" << cell.std;
      }
      d << "\n";
    }
    write_file(train::path_under(out, dat, "table '" + t.name + "'"), d.str());
    // The paper's number for a bar, as a black mark on it: bar i of group g sits at
    // g + (i - (n - 1) / 2) / (n + gap) in a clustered histogram (gap 2 below).
    std::ostringstream pd;
    double top = 0;
    const double n = double(rows.size());
    for (size_t g = 0; g < cols.size(); ++g)
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& cell = t.rows[rows[i]].cells[cols[g]];
        if (!cell.empty()) top = std::max(top, cell.mean + cell.std);
        if (!cell.paper || cell.empty()) continue;
        const double v = std::stod(cell.paper->value);
        top = std::max(top, v);
        pd << double(g) + (double(i) - (n - 1) / 2) / (n + 2) << "\t" << v << "\n";
      }
    const std::string paper_dat = "paper_" + t.name + ".dat";
    if (!pd.str().empty()) write_file(train::path_under(out, paper_dat, "table '" + t.name + "'"), "# x\tpaper value (docs/algorithms.md §4.1)\n" + pd.str());
    std::vector<const train::CellSummary*> shown;
    for (size_t r : rows)
      for (size_t c : cols) shown.push_back(&t.rows[r].cells[c]);
    const bool mixed = budgets_of(shown).size() > 1;
    bars << "set yrange [0:" << top * 1.15 << "]\n";
    bars << "set title "
         << gp_string(std::string(t.name == "feedforward" ? "Feedforward networks" : "LSTM language models") +
                      (mixed ? kMixedBudgets : ""))
         << "\nset ylabel " << gp_string(metric_label(t.metric, "test") + " at best validation") << "\nplot ";
    for (size_t i = 0; i < rows.size(); ++i)
      bars << (i ? ", \\\n     " : "") << gp_string(dat) << " using " << 2 * i + 2 << ":" << 2 * i + 3
           << (i == 0 ? ":xtic(1)" : "") << " lc rgb " << gp_string(color(rows[i])) << " title "
           << gp_string(t.rows[rows[i]].label + (mixed ? [&] {
                          std::vector<const train::CellSummary*> mine;
                          for (size_t c : cols) mine.push_back(&t.rows[rows[i]].cells[c]);
                          return " [" + budget_text(budgets_of(mine)) + "]";
                        }()
                                                       : std::string()));
    if (!pd.str().empty())
      bars << ", \\\n     " << gp_string(paper_dat)
           << " using 1:2 with points pt 5 ps 1.6 lc rgb \"#000000\" title \"paper (early LAB paper)\"";
    bars << "\n";
  }

  std::ostringstream gp;
  gp << "# laq table --report: run `gnuplot plots.gp` in this folder.\n"
        "set datafile missing \"?\"\nset datafile separator \"\\t\"\nset termoption noenhanced\n";
  if (curve_panels > 0) {
    gp << "set terminal pngcairo size 1100," << 120 + 380 * curve_panels << " font \",11\"\n"
       << "set output \"learning_curves.png\"\n"
       << "set multiplot layout " << curve_panels << ",1 title \"Validation metric per epoch (mean over seeds; "
                                                     "dashed: unfinished runs only)\"\n"
       << "set xlabel \"epoch\"\nset logscale y\nset grid\n"
       << "set ytics (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100)\n"
       << "set key outside right top vertical\n"
       << curves.str() << "unset multiplot\nunset logscale y\nunset title\n";
  }
  if (bar_panels > 0) {
    gp << "set terminal pngcairo size 1100," << 120 + 420 * bar_panels << " font \",11\"\n"
       << "set output \"table.png\"\nset multiplot layout " << bar_panels
       << ",1 title \"Test metric at the best-validation epoch (bars: mean over seeds; whiskers: sample std)\"\n"
       << "set xlabel \"dataset\"\nset ytics autofreq\nset grid ytics\nset key outside right top vertical\n"
          "set style data histogram\nset style histogram errorbars gap 2 lw 1\n"
          "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
       << bars.str() << "unset multiplot\n";
  }
  write_file(out / "plots.gp", gp.str());
  return {curve_panels, bar_panels};
}

}  // namespace laq::apps
