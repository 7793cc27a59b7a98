#pragma once
// Trace: an optional notebook a solver writes into while it works, so that
// `laq quantize --explain` (and a student) can follow every step. Solvers take a Trace*
// and only touch it behind `if (trace)`, so passing nullptr costs one branch per call,
// never per element.
#include <cstddef>
#include <string>
#include <variant>
#include <vector>

namespace laq::quant {

// One prefix of the magnitude-sorted weights, as the exact ternary solvers see it (docs/algorithms.md §2.2).
struct ExactRow {
  std::string side;  // "|w|", "w>0" or "w<0"
  std::size_t j;     // support size: the j largest magnitudes are nonzero
  double magnitude;  // the j-th largest magnitude
  double curvature;  // its d
  double P, D;       // prefix sums of d|w| and d
  double c;          // P / (2D): half the optimal scale of this support, its threshold
  double score;      // P^2 / D: larger is better (objective = sum d w^2 - score)
  bool candidate;    // may be chosen: a tie-group end (default) or passes the code's filter
};

// One round of an alternating solver (docs/algorithms.md §2.3, §2.5-2.7).
struct IterationRow {
  int iteration;          // 0 = the warm-started initial round
  double alpha_positive;  // one-scale solvers: both fields hold alpha
  double alpha_negative;
  std::size_t support;  // nonzero quantized values
  double objective;     // sum d (q - w)^2 of alpha * b at this round
};

class Trace {
 public:
  // Exact solvers record at most this many rows from the top, the bottom, and around the
  // chosen support; the rest are summarised as "...".
  std::size_t rows_per_table = 24;

  void note(std::string text) { events_.emplace_back(std::move(text)); }
  void exact_row(ExactRow row) {
    exact_rows_.push_back(row);
    events_.emplace_back(row);
  }
  void iteration(IterationRow row) {
    iterations_.push_back(row);
    events_.emplace_back(row);
  }

  // Whether an exact solver should record row j of n given the chosen support.
  bool shows_row(std::size_t j, std::size_t n, std::size_t chosen) const;

  const std::vector<ExactRow>& exact_rows() const { return exact_rows_; }
  const std::vector<IterationRow>& iterations() const { return iterations_; }

  // Human-readable lines, in the order the solver recorded them.
  std::vector<std::string> render() const;

 private:
  std::vector<std::variant<std::string, ExactRow, IterationRow>> events_;
  std::vector<ExactRow> exact_rows_;
  std::vector<IterationRow> iterations_;
};

}  // namespace laq::quant
