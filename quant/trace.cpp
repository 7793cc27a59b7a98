#include "quant/trace.h"

#include <cstdio>

namespace laq::quant {

bool Trace::shows_row(std::size_t j, std::size_t n, std::size_t chosen) const {
  const std::size_t head = rows_per_table / 2, tail = rows_per_table / 4, around = 3;
  if (j <= head || j + tail > n) return true;
  return j + around >= chosen && j <= chosen + around;
}

namespace {

std::string format(const char* pattern, auto... args) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, pattern, args...);
  return buffer;
}

}  // namespace

std::vector<std::string> Trace::render() const {
  std::vector<std::string> lines;
  enum class Kind { note,
                    exact,
                    iteration } previous = Kind::note;
  std::size_t previous_j = 0;
  std::string previous_side;
  for (const auto& event : events_) {
    if (const auto* text = std::get_if<std::string>(&event)) {
      lines.push_back(*text);
      previous = Kind::note;
    } else if (const auto* row = std::get_if<ExactRow>(&event)) {
      if (previous != Kind::exact || row->side != previous_side) {
        lines.push_back(format("  %-4s %8s %12s %12s %14s %14s %12s %14s %s", "side", "j", "magnitude", "d", "P_j",
                               "D_j", "c_j", "P^2/D", "cand"));
      } else if (row->j > previous_j + 1) {
        lines.push_back("  ...");
      }
      lines.push_back(format("  %-4s %8zu %12.6g %12.6g %14.8g %14.8g %12.6g %14.8g %s", row->side.c_str(), row->j,
                             row->magnitude, row->curvature, row->P, row->D, row->c, row->score,
                             row->candidate ? "yes" : "-"));
      previous = Kind::exact;
      previous_j = row->j;
      previous_side = row->side;
    } else {
      const auto& it = std::get<IterationRow>(event);
      if (previous != Kind::iteration)
        lines.push_back(format("  %4s %14s %14s %10s %16s", "iter", "alpha+", "alpha-", "support", "objective"));
      lines.push_back(format("  %4d %14.8g %14.8g %10zu %16.10g", it.iteration, it.alpha_positive, it.alpha_negative,
                             it.support, it.objective));
      previous = Kind::iteration;
    }
  }
  return lines;
}

}  // namespace laq::quant
