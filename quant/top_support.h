#pragma once
// The combinatorial heart of the exact ternary solvers (docs/algorithms.md §2.2, §2.4).
//
// For a fixed support S (the nonzero entries of the code, coded sign(w)), the best scale is
// the d-weighted mean of |w| over S, and the objective equals sum d w^2 - P(S)^2 / D(S) with
// P = sum_S d|w|, D = sum_S d. The optimal support is a prefix of the magnitude order: at the
// optimal scale alpha* each code must be the nearest level whatever d is, so the support is
// {|w| > alpha*/2} (plus possibly part of a tie group at alpha*/2). (The best support of a
// *fixed* size need not be the largest magnitudes when d varies: w = (1, 0.9), d = (1, 100)
// scores 81 for {0.9} against 1 for {1}; the overall optimum {1, 0.9} is still a prefix.)
// So the whole problem is: over the prefixes of the magnitude-sorted weights, maximise the
// score P^2 / D (docs/algorithms.md §2.2).
//
// Only prefixes that end a group of equal magnitudes are considered. Any cut inside a tie
// group is never better than one of the group's ends (P^2/D is convex along the straight
// segment the group traces in the (D, P) plane), and a tie group cannot be split by a
// threshold anyway. On an exact tie of scores the smaller support wins.
#include <array>
#include <cstddef>
#include <span>

#include "quant/curvature.h"
#include "quant/support.h"
#include "quant/trace.h"

namespace laq::quant {

// The readable reference: sort the magnitudes, scan the prefixes. O(n log n).
// With a trace, records the table of prefixes (docs/algorithms.md §2.2) around the choice.
Support best_support_sorted(std::span<const float> w, std::span<const float> d, Side side, Trace* trace = nullptr);

// The same answer in O(n) expected time (up to rounding of the sums: near-equal scores
// whose difference is below ~1e-12 relative may resolve differently).
//  1. one pass bins the magnitudes into `bins` equal-width bins over [0, max], keeping per
//     bin the count, sum d|w| and sum d;
//  2. suffix sums give the exact score at every bin edge (edges are tie-group ends, since
//     equal magnitudes share a bin);
//  3. inside a bin the prefix sum P(t), as a function of the added curvature t, is concave
//     and lies under both the line of slope `largest` from the bin's start and the line of
//     slope `smallest` into its end. P^2/D is convex along each line, so on each segment
//     its maximum is at an end: a bin edge (scored exactly in step 2) or the lines' crossing
//     (the bin's "peak"); a bin whose peak cannot beat the best edge holds no better cut.
//     A first bound takes the bin's edges for `largest` and `smallest`;
//  4. the elements of the bins that pass are gathered (in element order), the bound is
//     tightened with their real smallest and largest magnitude, and the bins that still
//     could beat the best edge are sorted and scanned exactly, in decreasing order of
//     peak. Typically a handful of bins.
// The passes run on fixed chunks of 2^20 elements through the caller's runner
// (quant/runner.h), each with its own partial sums, added in chunk order: the same bits on
// any thread count.
// The curvature can be read through a view (e.g. Adam's v, d = sqrt(v) + eps formed on the
// fly with the same float operations): identical results, no d buffer.
Support best_support_histogram(std::span<const float> w, const Curvature& d, Side side, std::size_t bins,
                               Trace* trace = nullptr);

// Both sides of the two-scale ternary, {w > 0, w < 0}: the same answers as two
// best_support calls, from one histogram pass over the tensor.
std::array<Support, 2> best_support_both_sides(std::span<const float> w, const Curvature& d, Trace* trace = nullptr);

// Picks the sorted reference for small inputs (or when tracing, because its table is what
// a student can follow) and the histogram solver otherwise.
Support best_support(std::span<const float> w, const Curvature& d, Side side, Trace* trace = nullptr);

// d given as values.
inline Support best_support_histogram(std::span<const float> w, std::span<const float> d, Side side, std::size_t bins,
                                      Trace* trace = nullptr) {
  return best_support_histogram(w, Curvature::values(d), side, bins, trace);
}
inline Support best_support(std::span<const float> w, std::span<const float> d, Side side, Trace* trace = nullptr) {
  return best_support(w, Curvature::values(d), side, trace);
}

}  // namespace laq::quant
