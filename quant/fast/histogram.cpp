#include "quant/fast/histogram.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <string>

#include "base/error.h"
#include "quant/fast/support_scan.h"

namespace laq::quant::histogram {
using scan::Best;
using scan::score_of;
using scan::side_label;
using scan::sort_descending;

Partial side_of(const SignedPartial& part, const Grid& grid, Side side) {
  const std::size_t bins = grid.bins;
  Partial out;
  out.reset(grid);
  if (!part.by_sign) {
    if (side != Side::all) throw Error("histogram::side_of: a histogram of magnitudes has no sides");
    std::copy_n(part.sums.begin(), bins, out.sums.begin());
    std::copy_n(part.count.begin(), bins, out.count.begin());
    out.largest_bits = std::max(part.largest_positive, part.largest_negative);
    return out;
  }
  for (std::size_t k = 0; k < bins; ++k) {
    if (side != Side::negative) out.sums[k] += part.sums[k], out.count[k] += part.count[k];
    if (side != Side::positive) out.sums[k] += part.sums[bins + k], out.count[k] += part.count[bins + k];
  }
  if (side == Side::all)
    for (std::size_t z = 0; z < kSpecial / 2; ++z)
      out.sums[0] += part.sums[2 * bins + z], out.count[0] += part.count[2 * bins + z];
  out.largest_bits = side == Side::positive   ? part.largest_positive
                     : side == Side::negative ? part.largest_negative
                                              : std::max(part.largest_positive, part.largest_negative);
  return out;
}

Support solve(const Grid& grid, std::span<const Partial> parts, Side side, const Gather& gather, Trace* trace) {
  const std::size_t bins = grid.bins;
  const double scale = grid.scale;
  // The whole histogram: the pieces' partials added in piece order.
  std::vector<Pair> sums(parts[0].sums.begin(), parts[0].sums.begin() + static_cast<std::ptrdiff_t>(bins));
  std::vector<std::size_t> count(parts[0].count.begin(), parts[0].count.begin() + static_cast<std::ptrdiff_t>(bins));
  std::uint32_t largest_bits = parts[0].largest_bits;
  for (std::size_t p = 1; p < parts.size(); ++p) {
    for (std::size_t k = 0; k < bins; ++k) sums[k] += parts[p].sums[k], count[k] += parts[p].count[k];
    largest_bits = std::max(largest_bits, parts[p].largest_bits);
  }
  std::size_t n = 0;
  for (std::size_t c : count) n += c;
  if (n == 0) return {};
  const float largest = std::bit_cast<float>(largest_bits);
  if (largest == 0.0f) return {n, 0.0, sums[0][1]};  // all magnitudes zero: one tie group, score 0

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
  if (!candidates.empty()) {
    // Gather the candidate bins' elements into contiguous segments, in element order: bin
    // k's segment starts at offset[k], and piece p writes its part of it after the parts of
    // pieces 0 .. p-1.
    GatherPlan plan;
    plan.low = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::size_t> offset(bins);
    for (const auto& c : candidates) {
      offset[c.bin] = gathered_elements;
      gathered_elements += count[c.bin];
      plan.low = std::min<std::uint32_t>(plan.low, static_cast<std::uint32_t>(c.bin));
      plan.high = std::max<std::uint32_t>(plan.high, static_cast<std::uint32_t>(c.bin));
    }
    plan.next.assign(parts.size(), std::vector<std::int64_t>(plan.high - plan.low + 1, -1));
    for (const auto& c : candidates) {
      std::size_t at = offset[c.bin];
      for (std::size_t p = 0; p < parts.size(); ++p) {
        plan.next[p][c.bin - plan.low] = static_cast<std::int64_t>(at);
        at += parts[p].count[c.bin];
      }
    }
    std::vector<Entry> gathered(gathered_elements);
    gather(plan, gathered);
    // The edges bound the bins loosely; now that their elements are at hand, tighten the
    // bound with the smallest and largest magnitude actually present (a bin of one
    // magnitude has no inside cut at all) and drop what cannot win.
    for (auto& c : candidates) {
      const auto first = gathered.begin() + static_cast<std::ptrdiff_t>(offset[c.bin]);
      float lo = std::numeric_limits<float>::infinity(), hi = 0.0f;
      for (auto it = first; it != first + static_cast<std::ptrdiff_t>(count[c.bin]); ++it)
        lo = std::min(lo, it->first), hi = std::max(hi, it->first);
      c.peak = lo < hi ? peak_of(hi, lo, sums[c.bin][0], sums[c.bin][1], c.P_above, c.D_above) : -1.0;
    }
    std::erase_if(candidates, [&](const Candidate& c) { return c.peak < best.score * margin; });
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) { return a.peak > b.peak; });
    // Scan the most promising bins first; the rest are pruned as the best score rises.
    for (const auto& c : candidates) {
      if (c.peak < best.score * margin) break;
      ++scanned_bins;
      const auto first = gathered.begin() + static_cast<std::ptrdiff_t>(offset[c.bin]);
      std::vector<Entry> segment(first, first + static_cast<std::ptrdiff_t>(count[c.bin]));
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
                std::to_string(gathered_bins) + " bins (" + std::to_string(gathered_elements) + " elements) gathered, " +
                std::to_string(scanned_bins) + " bins (" + std::to_string(sorted_elements) +
                " elements) sorted and scanned; chosen j* = " + std::to_string(best.j));
  }
  return {best.j, best.P, best.D};
}

}  // namespace laq::quant::histogram
