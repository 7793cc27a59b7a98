#pragma once
// Binary quantizers: every weight becomes +-alpha. Sign convention: w = 0 goes to +alpha,
// as the authors' round(hard_sigmoid(w)) does (docs/algorithms.md §2.1, §5.17).
#include <span>

#include "quant/options.h"
#include "quant/trace.h"

namespace laq::quant {

// LAB (docs/algorithms.md §2.1): for b = sign(w) the optimal scale is the d-weighted mean |w|,
// alpha = sum d|w| / sum d. Exact in closed form: the code is fixed by the sign alone.
Scales lab(std::span<const float> w, std::span<const float> d, std::span<float> out, Trace* trace = nullptr);

// BWN (XNOR-Net weights): alpha = mean|w|, i.e. LAB with uniform curvature.
Scales bwn(std::span<const float> w, std::span<float> out);

// BinaryConnect, deterministic (docs/algorithms.md §2.11): out = H sign(w) with a fixed H.
Scales binary_connect(std::span<const float> w, float H, std::span<float> out);

}  // namespace laq::quant
