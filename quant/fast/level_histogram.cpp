#include "quant/fast/level_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "quant/fast/histogram.h"
#include "quant/fast/histogram_search.h"
#include "quant/runner.h"

namespace laq::quant::fast {
namespace {

// The passes run on fixed pieces (quant/runner.h), each with its own partial sums, added in
// piece order.
constexpr std::size_t kPiece = kPassPiece;

std::size_t pieces_of(std::size_t n) { return (n + kPiece - 1) / kPiece; }

// How far around a predicted threshold a gather reads, as a share of it: the histogram's
// predictions of the scales are off by far less (a bin is a 1/2048 of the largest |w|).
constexpr double kMargin = 0.01;

}  // namespace

std::size_t LevelHistogram::default_bins(std::size_t n) { return std::clamp<std::size_t>(n / 2048, 64, 2048); }

LevelHistogram::LevelHistogram(const LevelSet& levels, std::span<const float> w, std::span<const float> d,
                               bool least_squares, Side side, std::size_t bins)
    : levels_(levels), w_(w), d_(d), least_squares_(least_squares), side_(side) {
  const std::size_t n = w.size(), pieces = pieces_of(n);
  std::vector<std::uint32_t> largest(pieces);
  for_each_piece(n, kPiece, [&](std::size_t p, std::size_t first, std::size_t last) {
    largest[p] = histogram::largest_magnitude_bits(w.data() + first, last - first);
  });
  const float range = std::bit_cast<float>(*std::max_element(largest.begin(), largest.end()));
  const histogram::Grid grid = histogram::Grid::over(range > 0.0f ? double(range) : 1.0, bins ? bins : default_bins(n));
  bins_ = grid.bins, scale_ = grid.scale, top_ = grid.top;

  std::vector<histogram::Partial> parts(pieces);
  for_each_piece(n, kPiece, [&](std::size_t p, std::size_t first, std::size_t last) {
    histogram::SignedPartial part;
    part.reset(grid, side != Side::all);
    const float* const piece_d = d.data() + first;  // by value: through a capture it is reloaded per element
    histogram::accumulate(part, grid, w.data() + first, last - first, [piece_d](std::size_t i) { return piece_d[i]; });
    parts[p] = histogram::side_of(part, grid, side);
  });
  passes_ = 2;
  sum_dw_.assign(bins_, 0.0), sum_d_.assign(bins_, 0.0), count_.assign(bins_, 0);
  piece_counts_.assign(pieces, std::vector<std::uint32_t>(bins_));
  for (std::size_t p = 0; p < pieces; ++p)
    for (std::size_t k = 0; k < bins_; ++k) {
      sum_dw_[k] += parts[p].sums[k][0];
      sum_d_[k] += parts[p].sums[k][1];
      count_[k] += parts[p].count[k];
      piece_counts_[p][k] = parts[p].count[k];
    }
  first_.assign(bins_, -1);
}

void LevelHistogram::gather(const std::vector<std::uint32_t>& bins) {
  // Each new bin gets count_[k] slots; piece p writes its elements of bin k after those of
  // pieces 0 .. p-1, so every bin holds its elements in tensor order.
  const std::size_t pieces = piece_counts_.size();
  std::vector<std::vector<std::int64_t>> next(pieces, std::vector<std::int64_t>(bins_, -1));
  for (const std::uint32_t k : bins) {
    if (first_[k] >= 0) continue;
    first_[k] = static_cast<std::int64_t>(elements_.size());
    std::int64_t at = first_[k];
    for (std::size_t p = 0; p < pieces; ++p) next[p][k] = at, at += piece_counts_[p][k];
    elements_.resize(static_cast<std::size_t>(at));
  }
  // A last slot that is never a bin's: where the weights of the other side go.
  for (auto& piece : next) piece.push_back(-1);
  const std::uint32_t other_side = static_cast<std::uint32_t>(bins_);
  const double scale = scale_, top = top_;
  // On the side: any w for all; else a nonzero w of the side's sign bit. In integers and
  // without branches, so that the bin loop vectorises.
  const std::uint32_t any_sign = side_ == Side::all, wanted_sign = side_ == Side::negative;
  for_each_piece(w_.size(), kPiece, [&](std::size_t p, std::size_t first, std::size_t last) {
    // Copies on this frame: read through the captures, they are reloaded per element (the
    // stores to block_bin might alias them) and the loop does not vectorise.
    const std::uint32_t other = other_side, any = any_sign, wanted = wanted_sign;
    const double scale_here = scale, top_here = top;
    std::int64_t* const slot = next[p].data();
    std::uint32_t block_bin[histogram::kBlock];
    for (std::size_t b = first; b < last; b += histogram::kBlock) {
      const std::size_t m = std::min(histogram::kBlock, last - b);
      const float* wb = w_.data() + b;
      for (std::size_t i = 0; i < m; ++i) {
        const std::uint32_t bits = std::bit_cast<std::uint32_t>(wb[i]);
        const std::uint32_t on_side = any | ((bits >> 31 == wanted) & ((bits << 1) != 0));
        const auto k = static_cast<std::uint32_t>(std::min(top_here, double(std::fabs(wb[i])) * scale_here));
        block_bin[i] = on_side ? k : other;
      }
      for (std::size_t i = 0; i < m; ++i) {
        const std::uint32_t k = block_bin[i];
        if (slot[k] < 0) continue;
        elements_[static_cast<std::size_t>(slot[k]++)] = {std::fabs(wb[i]), d_[b + i]};
      }
    }
  });
  ++passes_;
}

std::vector<double> LevelHistogram::predicted_path(double alpha) const {
  // The alternation run on the histogram alone, each bin taken whole at its centre's level.
  std::vector<double> path{alpha};
  const std::size_t k = levels_.nonzero_levels();
  for (int iteration = 0; iteration < 100; ++iteration) {
    double d_b_w = 0, d_b = 0, d_b2 = 0;
    std::size_t r = 0;
    for (std::size_t b = 0; b < bins_; ++b) {
      const double centre = (double(b) + 0.5) / scale_;
      while (r < k && centre > alpha * levels_.midpoints[r]) ++r;
      if (r == 0) continue;
      const double m = levels_.magnitudes[r - 1];
      d_b_w += m * sum_dw_[b], d_b += m * sum_d_[b], d_b2 += m * m * sum_d_[b];
    }
    const double denominator = least_squares_ ? d_b2 : d_b;
    if (!(denominator > 0)) break;
    const double next = d_b_w / denominator;
    const bool settled = std::fabs(next - alpha) <= 1e-6 * alpha;
    path.push_back(alpha = next);
    if (settled) break;
  }
  return path;
}

Sums LevelHistogram::sums(float alpha) {
  const std::size_t k = levels_.nonzero_levels();
  const bool toward_zero = levels_.tie == TieRule::toward_zero;
  // The thresholds of fast::sweep: strict for ties toward zero, the lowest one moved by one
  // double when its tie goes the other way (a > nextafter(t, 0) is a >= t for a float a).
  std::vector<double> threshold(k);
  for (std::size_t r = 0; r < k; ++r) threshold[r] = double(alpha) * levels_.midpoints[r];
  if (k > 0 && levels_.first_tie != levels_.tie)
    threshold[0] = std::nextafter(threshold[0], toward_zero ? 0.0 : std::numeric_limits<double>::infinity());
  auto bin_of = [&](double a) { return static_cast<std::uint32_t>(std::min(top_, a * scale_)); };
  // Bins strictly above a threshold's bin hold magnitudes strictly above it (bins are
  // monotone in the magnitude), strictly below hold magnitudes below; the threshold's own
  // bin is read element by element.
  std::vector<std::uint32_t> boundary(k);
  bool all_read = true;
  for (std::size_t r = 0; r < k; ++r) {
    boundary[r] = bin_of(threshold[r]);
    all_read = all_read && first_[boundary[r]] >= 0;
  }
  if (!all_read) {
    // One gather for the whole way: the bins around each threshold at this scale and at every
    // later scale of the alternation as the histogram alone predicts it.
    std::vector<std::uint32_t> missing(boundary);
    for (const double ahead : predicted_path(alpha))
      for (std::size_t r = 0; r < k; ++r) {
        const double t = ahead * levels_.midpoints[r];
        for (std::uint32_t b = bin_of(t * (1 - kMargin)); b <= bin_of(t * (1 + kMargin)); ++b) missing.push_back(b);
      }
    gather(missing);
  }

  auto level_of = [&](double a) {
    std::size_t level = 0;
    for (std::size_t r = 0; r < k; ++r) level += toward_zero ? (a > threshold[r]) : (a >= threshold[r]);
    return level;
  };
  Sums s;
  std::size_t r = 0;  // thresholds whose bin lies below bin b
  for (std::size_t b = 0; b < bins_; ++b) {
    while (r < k && boundary[r] < b) ++r;
    if (r < k && boundary[r] == b) {
      const Element* e = elements_.data() + first_[b];
      for (std::uint32_t i = 0; i < count_[b]; ++i) {
        const double a = e[i].magnitude;
        const std::size_t level = level_of(a);
        const double m = level == 0 ? 0.0 : levels_.magnitudes[level - 1];
        const double dm = double(e[i].curvature) * m;
        s.d_b_w += dm * a, s.d_b += dm, s.d_b2 += dm * m;
        s.support += m > 0;
      }
      continue;
    }
    if (r == 0 || count_[b] == 0) continue;
    const double m = levels_.magnitudes[r - 1];
    s.d_b_w += m * sum_dw_[b], s.d_b += m * sum_d_[b], s.d_b2 += m * m * sum_d_[b];
    s.support += count_[b];
  }
  return s;
}

}  // namespace laq::quant::fast
