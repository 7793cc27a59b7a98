#pragma once
// The sums of the alternating solvers (quant/fast/level_sweep.h) for many scales from one
// histogram of |w|, so that an alternation costs a walk over the bins instead of a pass
// over every weight. Optional reading: fast::sweep computes the same sums by a pass over
// the tensor, and the tests hold the two to the same codes and scales.
//
// The code of a weight depends on alpha only through which thresholds alpha * midpoint_r
// its |w| passes. With |w| in equal-width bins (the grid of quant/fast/histogram.h), a bin
// whose range holds no threshold lies wholly on one level, and its (sum d|w|, sum d) give
// that level's terms exactly; only the bins holding a threshold need their elements. Those
// are read out of the tensor by a gather pass and kept. The first gather reads the bins
// around the thresholds of every scale the alternation will visit, as the histogram alone
// predicts them, so that usually one gather serves every alternation. Every sum runs over fixed pieces and bins in a fixed order, so the bits
// do not depend on the thread count.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "quant/fast/level_sweep.h"
#include "quant/levels.h"
#include "quant/support.h"

namespace laq::quant::fast {

class LevelHistogram {
 public:
  // One pass over w (the largest magnitude) and one histogram pass; w and d must outlive
  // the object, and be finite (the solvers check first).
  // least_squares: the scale update divides by sum d b^2 (Options::least_squares_alpha), which
  // only the prediction of where the alternation ends needs to know.
  // side: the magnitudes of every w, or those of w > 0 or w < 0 only (the two halves of LAT2-a).
  LevelHistogram(const LevelSet& levels, std::span<const float> w, std::span<const float> d, bool least_squares,
                 Side side = Side::all, std::size_t bins = 0);
  // 0 bins: this many for n weights.
  static std::size_t default_bins(std::size_t n);

  // The sums of the code b = Pi(w / alpha): those fast::sweep returns, summed in another
  // order. Gathers the elements of bins it has not read yet.
  Sums sums(float alpha);

  // Passes over the whole tensor made so far: 2 to build, then one per gather.
  int passes() const { return passes_; }

 private:
  struct Element {
    float magnitude, curvature;
    Element() {}  // so that growing the buffer does not zero what the gather writes anyway
    Element(float m, float c) : magnitude(m), curvature(c) {}
  };
  void gather(const std::vector<std::uint32_t>& bins);
  std::vector<double> predicted_path(double alpha) const;  // alpha and the scales after it

  const LevelSet& levels_;
  std::span<const float> w_, d_;
  bool least_squares_ = false;
  Side side_ = Side::all;
  std::size_t bins_ = 1;
  double scale_ = 1.0, top_ = 0.0;  // bin k holds floor(min(top, |w| * scale)) = k
  std::vector<double> sum_dw_, sum_d_;
  std::vector<std::uint64_t> count_;
  std::vector<std::vector<std::uint32_t>> piece_counts_;  // per piece, per bin
  std::vector<std::int64_t> first_;                       // per bin: where its elements start in elements_ (-1: not read)
  std::vector<Element> elements_;                         // the gathered bins' elements, bin by bin, in tensor order
  int passes_ = 0;
};

}  // namespace laq::quant::fast
