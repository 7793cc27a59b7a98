#include "quant/top_support.h"

#include <algorithm>
#include <cmath>
#include <bit>
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

// The curvature of element i, read through one of the three Curvature forms.
struct FromValues {
  const float* d;
  float operator()(std::size_t i) const { return d[i]; }
};
struct FromRoot {
  const float* v;
  float eps;
  float operator()(std::size_t i) const { return std::sqrt(v[i]) + eps; }  // the float ops the stage used
};
struct FromConstant {
  float c;
  float operator()(std::size_t) const { return c; }
};

// Per bin: (sum d|w|, sum d, count, unused) side by side, so one 32-byte add updates the
// bin. A lane-wise vector add is the same IEEE addition as separate scalar ones, and the
// count is an exact integer in a double up to 2^53.
typedef double Sums __attribute__((vector_size(32)));

// Elements are processed in blocks: a vectorisable loop computes the bins and curvatures,
// then a scalar loop does the scattered additions in element order.
constexpr std::size_t kBlock = 256;

template <Side OnSide, class Curv>
Support histogram_search(std::span<const float> w, Curv curvature, std::size_t bins, double hint, Trace* trace) {
  constexpr Side side = OnSide;
  const std::size_t size = w.size();

  // Elements off this side (the other sign, and exact zeros for one-sided searches) are
  // routed with arithmetic, never with branches: the signs of real weights are
  // unpredictable and a mispredicted branch per element would triple the cost.
  auto excluded = [](float x) {
    if constexpr (OnSide == Side::all) return false;
    else if constexpr (OnSide == Side::positive) return !(x > 0.0f);
    else return !(x < 0.0f);
  };

  // Pass 1: how many take part, and the largest magnitude (sets the bin width). The max is
  // taken over bit patterns, monotone for non-negative floats, with integer operations that
  // vectorise: |w| for all, max(bits, 0) as int32 for w > 0, bits - sign for w < 0.
  std::size_t n = 0;
  std::uint32_t largest_bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(w[i]);
    std::uint32_t magnitude;
    if constexpr (OnSide == Side::all) magnitude = bits & 0x7fffffffu;
    else if constexpr (OnSide == Side::positive) magnitude = static_cast<std::uint32_t>(std::max(std::bit_cast<std::int32_t>(bits), 0));
    else magnitude = std::max(bits, 0x80000000u) - 0x80000000u;
    n += OnSide == Side::all ? 1 : std::size_t(magnitude != 0);
    largest_bits = std::max(largest_bits, magnitude);
  }
  if (largest_bits > 0x7f800000u) {
    // A NaN took part: it is left out of the max, as std::max(largest, NaN) leaves it, and
    // a one-sided search does not count it (NaN > 0 and NaN < 0 are both false).
    largest_bits = 0;
    n = 0;
    for (std::size_t i = 0; i < size; ++i) {
      const std::uint32_t bits = std::bit_cast<std::uint32_t>(std::fabs(w[i]));
      n += !excluded(w[i]);
      if (!excluded(w[i]) && bits <= 0x7f800000u) largest_bits = std::max(largest_bits, bits);
    }
  }
  const float largest = std::bit_cast<float>(largest_bits);
  if (n == 0) return {};
  if (largest == 0.0f) {  // all magnitudes zero: one tie group, score 0, alpha 0
    double D = 0;
    for (std::size_t i = 0; i < size; ++i)
      if (!excluded(w[i])) D += curvature(i);
    return {n, 0.0, D};
  }

  // Pass 2: the histogram. floor(a * scale) is monotone in a, so higher bins hold strictly
  // larger magnitudes and equal magnitudes share a bin. Every bin's sums are added in
  // element order.
  const double scale = double(bins) / double(largest);
  // Off-side elements go to `spill` extra bins past the end that are never read, taken in
  // turn so that their updates do not form one long chain of dependent additions.
  constexpr std::size_t spill = 16;
  auto bin_of = [&](float x, std::size_t i) -> std::uint32_t {
    const std::size_t k = std::min(static_cast<std::size_t>(double(std::fabs(x)) * scale), bins - 1);
    return static_cast<std::uint32_t>(k + std::size_t(excluded(x)) * (bins + (i % spill) - k));
  };
  std::vector<Sums> sums(bins + spill, Sums{0.0, 0.0, 0.0, 0.0});
  // With a hint (the threshold the last step chose), the elements of the bins within 5% of
  // it are kept on the way, in element order: the bins worth sorting nearly always lie
  // there, and then pass 3 need not read the tensor again.
  struct Kept {
    std::uint32_t bin;
    float magnitude, curvature;
  };
  std::vector<Kept> kept;
  std::size_t kept_count = 0;
  std::uint32_t keep_low = 0, keep_span = 0;  // the bins keep_low .. keep_low + keep_span
  bool keeping = false;
  if (hint > 0 && hint < double(largest)) {
    keep_low = static_cast<std::uint32_t>(std::min(hint * 0.95 * scale, double(bins - 1)));
    keep_span = static_cast<std::uint32_t>(std::min(hint * 1.05 * scale, double(bins - 1))) - keep_low;
    keeping = true;
    kept.resize(size / bins * (keep_span + 1) * 2 + kBlock);
  }
  {
    std::uint32_t block_bin[kBlock];
    float block_d[kBlock];
    for (std::size_t first = 0; first < size; first += kBlock) {
      const std::size_t m = std::min(kBlock, size - first);
      const float* wb = w.data() + first;
      for (std::size_t i = 0; i < m; ++i) block_bin[i] = bin_of(wb[i], first + i);
      for (std::size_t i = 0; i < m; ++i) block_d[i] = curvature(first + i);
      // The scattered additions alone in their loop: with the rare push_back beside them
      // the compiler must assume the vector's writes alias the bins and reloads per element.
      Sums* const bin_sums = sums.data();
      for (std::size_t i = 0; i < m; ++i) {
        const double di = block_d[i];
        bin_sums[block_bin[i]] += Sums{di * std::fabs(wb[i]), di, 1.0, 0.0};
      }
      if (keeping) {
        // Branch-free append: every element is written at the end, and only a kept one
        // moves the end on (whether an element is kept is as unpredictable as its value).
        if (kept.size() < kept_count + m) kept.resize(2 * (kept_count + m));
        Kept* const end = kept.data();
        for (std::size_t i = 0; i < m; ++i) {
          end[kept_count] = {block_bin[i], std::fabs(wb[i]), block_d[i]};
          kept_count += block_bin[i] - keep_low <= keep_span;
        }
      }
    }
  }
  std::vector<std::size_t> count(bins);
  for (std::size_t k = 0; k < bins; ++k) count[k] = static_cast<std::size_t>(sums[k][2]);

  // Walk the bins from the top: exact scores at the edges, and a bound for the inside. The
  // magnitudes in bin k lie within its edges k / scale and (k + 1) / scale (widened by a
  // relative 1e-12 against the rounding of a * scale; the top bin ends at `largest`).
  auto lower_edge = [&](std::size_t k) { return k == 0 ? 0.0 : double(k) / scale * (1.0 - 1e-12); };
  auto upper_edge = [&](std::size_t k) {
    return k + 1 == bins ? double(largest) : std::min(double(largest), double(k + 1) / scale * (1.0 + 1e-12));
  };
  struct Candidate {
    std::size_t bin;
    double peak;          // upper bound of the score of any cut inside the bin
    std::size_t j_above;  // prefix state at the bin's top edge
    double P_above, D_above;
  };
  // P(t) <= min(P + hi t, P + S - lo (T - t)); the two lines cross at t_cross.
  auto peak_of = [](double hi, double lo, double S, double T, double P, double D) {
    const double t_cross = std::clamp((S - lo * T) / (hi - lo), 0.0, T);
    const double denominator = D + t_cross;
    return denominator > 0 ? (P + hi * t_cross) * (P + hi * t_cross) / denominator
                           : std::numeric_limits<double>::infinity();
  };
  std::vector<Candidate> candidates;
  Best best;
  std::size_t j = 0;
  double P = 0, D = 0;
  for (std::size_t k = bins; k-- > 0;) {
    if (count[k] == 0) continue;
    const double S = sums[k][0], T = sums[k][1];
    if (count[k] > 1) candidates.push_back({k, peak_of(upper_edge(k), lower_edge(k), S, T, P, D), j, P, D});
    j += count[k];
    P += S;
    D += T;
    best.offer(score_of(P, D), j, P, D);
  }
  const double edge_best = best.score;

  // Keep the bins that could beat the best edge (a 1e-12 margin absorbs rounding).
  const double margin = 1.0 - 1e-12;
  std::erase_if(candidates, [&](const Candidate& c) { return c.peak < best.score * margin; });

  std::size_t sorted_elements = 0, scanned_bins = 0, gathered_bins = candidates.size(), gathered_elements = 0;
  bool used_kept = false;
  if (!candidates.empty()) {
    // Pass 3: gather the candidate bins' elements into contiguous segments, in element
    // order. Only elements whose bin lies in the candidates' range are looked up.
    std::uint32_t k_low = std::numeric_limits<std::uint32_t>::max(), k_high = 0;
    std::vector<std::int64_t> offset(bins + spill, -1);
    std::size_t total = 0;
    for (const auto& c : candidates) {
      offset[c.bin] = static_cast<std::int64_t>(total);
      total += count[c.bin];
      k_low = std::min<std::uint32_t>(k_low, static_cast<std::uint32_t>(c.bin));
      k_high = std::max<std::uint32_t>(k_high, static_cast<std::uint32_t>(c.bin));
    }
    gathered_elements = total;
    std::vector<Entry> gathered(total);
    std::vector<std::int64_t> fill = offset;
    std::uint32_t block_bin[kBlock];
    if (keeping && k_low >= keep_low && k_high <= keep_low + keep_span) {
      used_kept = true;
      kept.resize(kept_count);
      for (const Kept& e : kept)
        if (fill[e.bin] >= 0) gathered[static_cast<std::size_t>(fill[e.bin]++)] = {e.magnitude, e.curvature};
    }
    for (std::size_t first = 0; first < size && !used_kept; first += kBlock) {
      const std::size_t m = std::min(kBlock, size - first);
      const float* wb = w.data() + first;
      for (std::size_t i = 0; i < m; ++i) block_bin[i] = bin_of(wb[i], first + i) - k_low;
      for (std::size_t i = 0; i < m; ++i) {
        if (block_bin[i] > k_high - k_low) continue;  // below k_low wraps around: also out
        const std::int64_t at = fill[block_bin[i] + k_low];
        if (at >= 0) gathered[static_cast<std::size_t>(fill[block_bin[i] + k_low]++)] = {std::fabs(wb[i]), curvature(first + i)};
      }
    }
    // The edges bound the bins loosely; now that their elements are at hand, tighten the
    // bound with the smallest and largest magnitude actually present (a bin of one
    // magnitude has no inside cut at all) and drop what cannot win.
    for (auto& c : candidates) {
      const auto first = gathered.begin() + offset[c.bin];
      float lo = std::numeric_limits<float>::infinity(), hi = 0.0f;
      for (auto it = first; it != first + count[c.bin]; ++it) lo = std::min(lo, it->first), hi = std::max(hi, it->first);
      c.peak = lo < hi ? peak_of(hi, lo, sums[c.bin][0], sums[c.bin][1], c.P_above, c.D_above) : -1.0;
    }
    std::erase_if(candidates, [&](const Candidate& c) { return c.peak < best.score * margin; });
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) { return a.peak > b.peak; });
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
                " elements in " + std::to_string(bins) + " bins; best edge score " + std::to_string(edge_best) + "; " +
                std::to_string(gathered_bins) + " bins (" + std::to_string(gathered_elements) + " elements) gathered" +
                (used_kept ? " from the bins kept near the hint, " : ", ") +
                std::to_string(scanned_bins) + " bins (" + std::to_string(sorted_elements) +
                " elements) sorted and scanned; chosen j* = " + std::to_string(best.j));
  }
  return {best.j, best.P, best.D};
}

template <class Curv>
Support histogram_dispatch(std::span<const float> w, Curv curvature, Side side, std::size_t bins, double hint,
                           Trace* trace) {
  bins = std::max<std::size_t>(bins, 1);
  switch (side) {
    case Side::all: return histogram_search<Side::all>(w, curvature, bins, hint, trace);
    case Side::positive: return histogram_search<Side::positive>(w, curvature, bins, hint, trace);
    case Side::negative: return histogram_search<Side::negative>(w, curvature, bins, hint, trace);
  }
  return {};
}

std::size_t default_bins(std::size_t n) {
  // ~512 elements per bin keeps the histogram in L2 and the scanned bins short.
  return std::clamp<std::size_t>(n / 512, 256, 8192);
}
constexpr std::size_t kSmall = 4096;

}  // namespace

Support best_support_histogram(std::span<const float> w, const Curvature& d, Side side, std::size_t bins,
                               Trace* trace, double hint) {
  require_size(d, w.size(), "best_support_histogram");
  switch (d.kind) {
    case Curvature::Kind::values: return histogram_dispatch(w, FromValues{d.data.data()}, side, bins, hint, trace);
    case Curvature::Kind::root:
      return histogram_dispatch(w, FromRoot{d.data.data(), d.value}, side, bins, hint, trace);
    case Curvature::Kind::constant: return histogram_dispatch(w, FromConstant{d.value}, side, bins, hint, trace);
  }
  return {};
}

Support best_support(std::span<const float> w, const Curvature& d, Side side, Trace* trace, double hint) {
  if (trace || w.size() < kSmall) {
    const std::vector<float> values = d.materialize(w.size());
    return best_support_sorted(w, values, side, trace);
  }
  return best_support_histogram(w, d, side, default_bins(w.size()), nullptr, hint);
}

Support best_support_histogram(std::span<const float> w, std::span<const float> d, Side side, std::size_t bins,
                               Trace* trace) {
  require_size(d, w.size(), "best_support_histogram", "d");
  return best_support_histogram(w, Curvature::values(d), side, bins, trace);
}

Support best_support(std::span<const float> w, std::span<const float> d, Side side, Trace* trace) {
  require_size(d, w.size(), "best_support", "d");
  if (trace || w.size() < kSmall) return best_support_sorted(w, d, side, trace);
  return best_support_histogram(w, Curvature::values(d), side, default_bins(w.size()), nullptr);
}

}  // namespace laq::quant
