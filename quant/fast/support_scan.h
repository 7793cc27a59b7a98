#pragma once
// What the sorted and the histogram support searches share (quant/top_support.h): the score
// of a prefix, the running best, and how a side is named in traces.
#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "quant/support.h"

namespace laq::quant::scan {

// P^2 / D: how much a support with these sums lowers the objective.
inline double score_of(double P, double D) { return D > 0 ? P * P / D : 0.0; }

struct Best {
  double score = -1.0;
  std::size_t j = 0;
  double P = 0, D = 0;
  // Larger score wins; on an exact tie the smaller support, as a left-to-right scan would.
  void offer(double s, std::size_t jj, double p, double dd) {
    if (s > score || (s == score && jj < j)) *this = Best{s, jj, p, dd};
  }
};

using Entry = std::pair<float, float>;  // (magnitude, curvature)

inline void sort_descending(std::vector<Entry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.first > b.first; });
}

inline const char* side_label(Side side) {
  switch (side) {
    case Side::all: return "|w|";
    case Side::positive: return "w>0";
    case Side::negative: return "w<0";
  }
  return "?";
}

}  // namespace laq::quant::scan
