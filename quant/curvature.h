#pragma once
// The curvature d of docs/algorithms.md §1.3, in the one form every solver reads.
//
// The optimizer's second moment v gives d = sqrt(v) + eps (root_curvature, the only place
// the formula is written). A solver may be handed d as values, as v itself (d is then formed
// element by element with the same float operations, so no d buffer and one pass over the
// tensor fewer), or as one constant (the first step, acc = 0: d = 1e-8 everywhere).
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace laq::quant {

inline float root_curvature(float v, float eps) { return std::sqrt(v) + eps; }

struct Curvature {
  enum class Kind { values,
                    root,
                    constant };
  Kind kind = Kind::constant;
  std::span<const float> data;  // d (values) or v (root); empty for constant
  float value = 0.0f;           // eps (root) or the constant

  static Curvature values(std::span<const float> d) { return {Kind::values, d, 0.0f}; }
  static Curvature root(std::span<const float> v, float eps) { return {Kind::root, v, eps}; }
  static Curvature constant(float c) { return {Kind::constant, {}, c}; }
  Curvature slice(std::size_t offset, std::size_t count) const {
    return kind == Kind::constant ? *this : Curvature{kind, data.subspan(offset, count), value};
  }
  // d as n values written into `d` (for the readable reference solvers and small tensors).
  void write(std::span<float> d) const;
  std::vector<float> materialize(std::size_t n) const;
};

// Throws laq::Error unless the curvature has n values (a constant fits every n).
void require_size(const Curvature& d, std::size_t n, const char* function);

// The three forms as function objects, so a hot loop is compiled once per form:
// with_curvature(d, [&](auto curvature) { ... curvature(i) ... }).
struct FromValues {
  const float* d;
  float operator()(std::size_t i) const { return d[i]; }
};
struct FromRoot {
  const float* v;
  float eps;
  float operator()(std::size_t i) const { return root_curvature(v[i], eps); }
};
struct FromConstant {
  float c;
  float operator()(std::size_t) const { return c; }
};

template <class Visit>
auto with_curvature(const Curvature& d, Visit&& visit) {
  switch (d.kind) {
    case Curvature::Kind::values: return visit(FromValues{d.data.data()});
    case Curvature::Kind::root: return visit(FromRoot{d.data.data(), d.value});
    case Curvature::Kind::constant: break;
  }
  return visit(FromConstant{d.value});
}

}  // namespace laq::quant
