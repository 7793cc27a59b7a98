#pragma once
// The knobs shared by all quantizers, and the scales they hand back.

namespace laq::quant {

struct Options {
  int bits = 3;  // laq-linear / laq-log: m in [2, 8] (2^m - 1 levels); dorefa: m in [1, 8] (2^m levels)

  // Reproduce the authors' Theano code instead of the mathematically intended solver
  // (docs/algorithms.md §5): lat-e drops the all-nonzero support and falls back to 0.7*c_n
  // (item 5); lat2-e also scores the negative side with the positive side's c (item 3);
  // lat2-a stops when the negative scale alone has converged (item 4).
  bool code_faithful = false;

  // LAQ multi-level scale: the code uses sum d|b||w| / sum d|b| (docs/algorithms.md §2.6), which is not the
  // least-squares optimum for |b| < 1. true = sum d b w / sum d b^2, which also makes the
  // alternation monotone. Identical for binary and ternary codes.
  bool least_squares_alpha = false;

  int max_iterations = 10;  // alternating solvers: iterations after the initial one (docs/algorithms.md §2.3)
  double tolerance = 1e-6;  // stop when |delta alpha| < tolerance

  float bc_scale = 1.0f;        // BinaryConnect H
  float ttq_threshold = 0.05f;  // TTQ t: threshold = t * max|w|
};

// One-scale methods report positive == negative. Methods without a scale (dorefa) report 1.
struct Scales {
  float positive = 0;
  float negative = 0;
};

}  // namespace laq::quant
