#include "quant/top_support.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "quant/common.h"

namespace laq::quant {
namespace {

// The magnitude of w on `side`, or a negative value when w does not take part.
inline float side_magnitude(float w, Side side) {
  switch (side) {
    case Side::all: return std::fabs(w);
    case Side::positive: return w > 0.0f ? w : -1.0f;
    case Side::negative: return w < 0.0f ? -w : -1.0f;
  }
  return -1.0f;
}

const char* side_label(Side side) {
  switch (side) {
    case Side::all: return "|w|";
    case Side::positive: return "w>0";
    case Side::negative: return "w<0";
  }
  return "?";
}

struct Best {
  double score = -1.0;
  std::size_t j = 0;
  double P = 0, D = 0;
  // Larger score wins; on an exact tie the smaller support, as a left-to-right scan would.
  void offer(double s, std::size_t jj, double p, double dd) {
    if (s > score || (s == score && jj < j)) *this = Best{s, jj, p, dd};
  }
};

double score_of(double P, double D) { return D > 0 ? P * P / D : 0.0; }

using Entry = std::pair<float, float>;  // (magnitude, curvature)

void sort_descending(std::vector<Entry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.first > b.first; });
}

}  // namespace

Support best_support_sorted(std::span<const float> w, std::span<const float> d, Side side, Trace* trace) {
  require_size(d, w.size(), "best_support_sorted", "d");
  std::vector<Entry> entries;
  entries.reserve(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    const float a = side_magnitude(w[i], side);
    if (a >= 0.0f) entries.emplace_back(a, d[i]);
  }
  sort_descending(entries);
  const std::size_t n = entries.size();

  Best best;
  double P = 0, D = 0;
  for (std::size_t i = 0; i < n; ++i) {
    P += double(entries[i].second) * entries[i].first;
    D += entries[i].second;
    const bool group_end = i + 1 == n || entries[i].first > entries[i + 1].first;
    if (group_end) best.offer(score_of(P, D), i + 1, P, D);
  }

  if (trace) {
    trace->note(std::string("exact support search on ") + side_label(side) + ", " + std::to_string(n) +
                " elements sorted by magnitude, descending; candidates are the ends of tie groups");
    P = D = 0;
    for (std::size_t i = 0; i < n; ++i) {
      P += double(entries[i].second) * entries[i].first;
      D += entries[i].second;
      if (!trace->shows_row(i + 1, n, best.j)) continue;
      const bool group_end = i + 1 == n || entries[i].first > entries[i + 1].first;
      trace->exact_row({side_label(side), i + 1, entries[i].first, entries[i].second, P, D, P / (2 * D),
                        score_of(P, D), group_end});
    }
    trace->note("chosen support j* = " + std::to_string(best.j) + " (largest P^2/D), alpha = P/D = " +
                std::to_string(best.D > 0 ? best.P / best.D : 0.0));
  }
  return {best.j, best.P, best.D};
}

namespace {

template <Side OnSide>
Support histogram_search(std::span<const float> w, std::span<const float> d, std::size_t bins, Trace* trace) {
  constexpr Side side = OnSide;

  // Elements off this side (the other sign, and exact zeros for one-sided searches) are
  // routed with integer arithmetic, never with branches: the signs of real weights are
  // unpredictable and a mispredicted branch per element would triple the cost.
  auto excluded = [](float x) {
    if constexpr (OnSide == Side::all) return false;
    else if constexpr (OnSide == Side::positive) return !(x > 0.0f);
    else return !(x < 0.0f);
  };

  // Pass 1: how many take part, and the largest magnitude (sets the bin width).
  std::size_t n = 0;
  float largest = 0.0f;
  for (float x : w) {
    const bool off = excluded(x);
    n += !off;
    largest = std::max(largest, std::fabs(x) * float(!off));
  }
  if (n == 0) return {};
  if (largest == 0.0f) {  // all magnitudes zero: one tie group, score 0, alpha 0
    double D = 0;
    for (std::size_t i = 0; i < w.size(); ++i)
      if (!excluded(w[i])) D += d[i];
    return {n, 0.0, D};
  }

  // Pass 2: the histogram. floor(a * scale) is monotone in a, so higher bins hold strictly
  // larger magnitudes and equal magnitudes share a bin.
  const double scale = double(bins) / double(largest);
  // Off-side elements go to `spill` extra bins past the end that are never read, taken in
  // turn so that their updates do not form one long chain of dependent additions.
  constexpr std::size_t spill = 16;
  auto bin_of = [&](float x, std::size_t i) {
    const std::size_t k = std::min(static_cast<std::size_t>(double(std::fabs(x)) * scale), bins - 1);
    return k + std::size_t(excluded(x)) * (bins + (i % spill) - k);
  };
  std::vector<std::uint32_t> count(bins + spill, 0);
  std::vector<double> bin_dw(bins + spill, 0.0), bin_d(bins + spill, 0.0);
  std::vector<float> bin_lo(bins + spill, std::numeric_limits<float>::infinity()), bin_hi(bins + spill, 0.0f);
  for (std::size_t i = 0; i < w.size(); ++i) {
    const float a = std::fabs(w[i]);
    const std::size_t k = bin_of(w[i], i);
    ++count[k];
    bin_dw[k] += double(d[i]) * a;
    bin_d[k] += d[i];
    bin_lo[k] = std::min(bin_lo[k], a);
    bin_hi[k] = std::max(bin_hi[k], a);
  }

  // Walk the bins from the top: exact scores at the edges, and a bound for the inside.
  struct Candidate {
    std::size_t bin;
    double peak;          // upper bound of the score of any cut inside the bin
    std::size_t j_above;  // prefix state at the bin's top edge
    double P_above, D_above;
  };
  std::vector<Candidate> candidates;
  Best best;
  std::size_t j = 0;
  double P = 0, D = 0;
  for (std::size_t k = bins; k-- > 0;) {
    if (count[k] == 0) continue;
    if (bin_lo[k] < bin_hi[k]) {
      const double hi = bin_hi[k], lo = bin_lo[k], S = bin_dw[k], T = bin_d[k];
      // P(t) <= min(P + hi t, P + S - lo (T - t)); the two lines cross at t_cross.
      const double t_cross = std::clamp((S - lo * T) / (hi - lo), 0.0, T);
      const double denominator = D + t_cross;
      const double peak =
          denominator > 0 ? (P + hi * t_cross) * (P + hi * t_cross) / denominator : std::numeric_limits<double>::infinity();
      candidates.push_back({k, peak, j, P, D});
    }
    j += count[k];
    P += bin_dw[k];
    D += bin_d[k];
    best.offer(score_of(P, D), j, P, D);
  }
  const double edge_best = best.score;

  // Keep the bins that could beat the best edge (a 1e-12 margin absorbs rounding).
  const double margin = 1.0 - 1e-12;
  std::erase_if(candidates, [&](const Candidate& c) { return c.peak < best.score * margin; });
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) { return a.peak > b.peak; });

  std::size_t sorted_elements = 0, scanned_bins = 0;
  if (!candidates.empty()) {
    // Pass 3: gather the candidate bins' elements into contiguous segments.
    std::vector<std::int64_t> offset(bins + spill, -1);
    std::size_t total = 0;
    for (const auto& c : candidates) {
      offset[c.bin] = static_cast<std::int64_t>(total);
      total += count[c.bin];
    }
    std::vector<Entry> gathered(total);
    std::vector<std::int64_t> fill = offset;
    for (std::size_t i = 0; i < w.size(); ++i) {
      const float a = std::fabs(w[i]);
      const std::size_t k = bin_of(w[i], i);
      if (fill[k] >= 0) gathered[static_cast<std::size_t>(fill[k]++)] = {a, d[i]};
    }
    // Scan the most promising bins first; the rest are pruned as the best score rises.
    for (const auto& c : candidates) {
      if (c.peak < best.score * margin) break;
      ++scanned_bins;
      const auto first = gathered.begin() + offset[c.bin];
      std::vector<Entry> segment(first, first + count[c.bin]);
      sort_descending(segment);
      sorted_elements += segment.size();
      double p = c.P_above, dd = c.D_above;
      // The segment's last element ends at the bin edge, already scored.
      for (std::size_t i = 0; i + 1 < segment.size(); ++i) {
        p += double(segment[i].second) * segment[i].first;
        dd += segment[i].second;
        if (segment[i].first > segment[i + 1].first) best.offer(score_of(p, dd), c.j_above + i + 1, p, dd);
      }
    }
  }

  if (trace) {
    trace->note(std::string("histogram support search on ") + side_label(side) + ": " + std::to_string(n) +
                " elements in " + std::to_string(bins) + " bins; best edge score " + std::to_string(edge_best) + ", " +
                std::to_string(scanned_bins) + " bins (" + std::to_string(sorted_elements) +
                " elements) sorted and scanned; chosen j* = " + std::to_string(best.j));
  }
  return {best.j, best.P, best.D};
}

}  // namespace

Support best_support_histogram(std::span<const float> w, std::span<const float> d, Side side, std::size_t bins,
                               Trace* trace) {
  require_size(d, w.size(), "best_support_histogram", "d");
  bins = std::max<std::size_t>(bins, 1);
  switch (side) {
    case Side::all: return histogram_search<Side::all>(w, d, bins, trace);
    case Side::positive: return histogram_search<Side::positive>(w, d, bins, trace);
    case Side::negative: return histogram_search<Side::negative>(w, d, bins, trace);
  }
  return {};
}

Support best_support(std::span<const float> w, std::span<const float> d, Side side, Trace* trace) {
  constexpr std::size_t small = 4096;
  if (trace || w.size() < small) return best_support_sorted(w, d, side, trace);
  // ~512 elements per bin keeps the histogram in L2 and the scanned bins short.
  const std::size_t bins = std::clamp<std::size_t>(w.size() / 512, 256, 8192);
  return best_support_histogram(w, d, side, bins, nullptr);
}

}  // namespace laq::quant
