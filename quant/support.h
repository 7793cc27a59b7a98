#pragma once
// A support: the set of nonzero entries of a ternary code, each coded sign(w), and the two
// sums that score it. The exact ternary solvers (top_support.h) choose one per side.
#include <cstddef>

namespace laq::quant {

// Which elements take part, and their magnitude.
enum class Side {
  all,       // every element, magnitude |w| (one-scale ternary)
  positive,  // only w > 0, magnitude w (alpha+ of the two-scale ternary)
  negative,  // only w < 0, magnitude -w (alpha-); exact zeros belong to neither side
};

struct Support {
  std::size_t size = 0;  // the chosen prefix length j (0 only when the side is empty)
  double sum_dw = 0;     // P_j
  double sum_d = 0;      // D_j
  // The optimal scale of this support: 2 c_j = P_j / D_j (0 for an empty side).
  double alpha() const { return sum_d > 0 ? sum_dw / sum_d : 0.0; }
};

}  // namespace laq::quant
