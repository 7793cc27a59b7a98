#pragma once
// The comparison methods of the paper that are not loss-aware (docs/algorithms.md §2.11). None reads the
// curvature; their gradients are the caller's business except where the forward has a
// shape of its own (TTQ's trained scales, DoReFa's tanh normalisation), given here.
#include <span>

#include "quant/options.h"

namespace laq::quant {

// TWN: Delta = 0.7 mean|w|; alpha = mean of |w_i| over |w_i| > Delta; out = alpha T_Delta(w).
// All-zero w: zeros and scale 0.
Scales twn(std::span<const float> w, std::span<float> out);

// TTQ forward. The scales wp, wn (> 0, magnitudes) are trained parameters the caller owns,
// which is why quantize() does not run ttq. Delta = t max|w|;
// out = +wp where w > Delta, -wn where w < -Delta, 0 otherwise.
void ttq_forward(std::span<const float> w, float wp, float wn, float t, std::span<float> out);
// TTQ backward, g = dL/d(out): grad_w = wp g where w > Delta, g where |w| <= Delta,
// wn g where w < -Delta (the TTQ paper's scaled straight-through gradient);
// grad_wp = sum of g over w > Delta; grad_wn = -(sum of g over w < -Delta), because
// out = -wn there. Delta is treated as a constant. grad_w may be g (in place).
void ttq_backward(std::span<const float> w, std::span<const float> g, float wp, float wn, float t,
                  std::span<float> grad_w, float& grad_wp, float& grad_wn);

// DoReFa weights, m bits (m in [1, 8]):
//   r = tanh(w) / (2 max|tanh w|) + 1/2,   code = round((2^m - 1) r),   out = 2 code/(2^m - 1) - 1.
// 2^m levels in [-1, 1], no zero level, no scale (reported as 1). round is half away from
// zero. All-zero w: max|tanh w| = 0, taken as r = 1/2 for every element.
// Computed as a count of per-code thresholds on w, each found from this very formula, so
// the codes are the formula's exactly (dorefa_reference is the formula as a loop).
Scales dorefa(std::span<const float> w, int bits, std::span<float> out);
// The float value of DoReFa code c: shared by the forward and decode().
float dorefa_level(int code, int bits);
// The code of each r, for encode() and the forward.
int dorefa_code(double r, int bits);
// Gradient through the forward with q_m straight-through and everything else exact:
// grad_w_k = g_k (1 - tanh^2 w_k) / M  -  [k = argmax|tanh w|] sign(tanh w_k)(1 - tanh^2 w_k)
//            sum_i g_i tanh(w_i) / M^2,   M = max|tanh w|
// (the max's derivative goes to its first maximiser). All-zero w: grad_w = 0.
// In float with a vectorised exp (a few float ulps from dorefa_backward_reference, which is
// this formula in double); grad_w may be g (in place).
void dorefa_backward(std::span<const float> w, std::span<const float> g, std::span<float> grad_w);

}  // namespace laq::quant
