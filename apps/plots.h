#pragma once
// The gnuplot side of `laq table --report`: the data files and the script of its two plots,
// learning_curves.png (validation metric per epoch) and table.png (test metric per cell).
#include <filesystem>
#include <utility>
#include <vector>

#include "train/report.h"

namespace laq::apps {

// Writes curves_<experiment>.dat, table_<table>.dat (and paper_<table>.dat when the paper has
// numbers for its bars) and plots.gp into out; returns the number of panels of each plot
// (learning curves, bars), 0 when there is nothing to draw.
std::pair<int, int> write_plot_files(const std::filesystem::path& out, const std::vector<train::ReportTable>& tables);

}  // namespace laq::apps
