#pragma once
// The registry of weight quantizers: names as the command line spells them, and the few
// facts about each method that the optimizer stage needs to drive it without knowing it.
#include <array>
#include <cstdint>
#include <string>

namespace laq::quant {

enum class Method { fpn,
                    bc,
                    bwn,
                    twn,
                    ttq,
                    dorefa,
                    lab,
                    lat_e,
                    lat_a,
                    lat2_e,
                    lat2_a,
                    laq_linear,
                    laq_log };

inline constexpr std::array<Method, 13> all_methods = {
    Method::fpn, Method::bc, Method::bwn, Method::twn, Method::ttq, Method::dorefa, Method::lab,
    Method::lat_e, Method::lat_a, Method::lat2_e, Method::lat2_a, Method::laq_linear, Method::laq_log};

// "fpn", "bc", "bwn", "twn", "ttq", "dorefa", "lab", "lat-e", "lat-a", "lat2-e", "lat2-a",
// "laq-linear", "laq-log". Throws laq::Error naming the valid spellings.
Method parse_method(const std::string& name);
std::string method_name(Method method);

// What a quantized weight's code stands for (quant/packing.h): one of {-alpha-, +alpha+}, one
// of {-alpha-, 0, +alpha+}, or one entry of a table of 2^m - 1 or 2^m levels. It decides the
// width of the packed codes and which packed kernel (engine/packed_matmul.h) runs them.
enum class CodeKind { none,
                      binary,
                      ternary,
                      level_table };

struct MethodTraits {
  bool two_scales;                  // separate alpha+ and alpha- (lat2-*, ttq)
  bool uses_curvature;              // reads d; the others may be given an empty d
  bool uses_warm_start;             // reads the previous quantized tensor (alternating solvers)
  bool needs_bits;                  // Options::bits matters (laq-*, dorefa)
  bool scales_trained_by_gradient;  // ttq: the caller owns Wp, Wn and updates them with SGD/Adam
  bool gradient_through_quantizer;  // dorefa: backprop through tanh and the max normalisation;
                                    // every other method passes dL/dq to the latent w unchanged
  // The bit widths m the method accepts (0, 0 when it takes none): laq-linear and laq-log have
  // 2^m - 1 levels, so m = 1 would leave only zero (2..8); dorefa has 2^m levels, m = 1 being
  // the binary case (1..8). 8 is the widest code the packed format stores.
  int min_bits, max_bits;
  bool has_code_faithful_variant;    // Options::code_faithful changes it (lat-e, lat2-e, lat2-a; docs/algorithms.md §5)
  bool least_squares_alpha_matters;  // Options::least_squares_alpha changes it (multi-level codes only)
  bool cuts_one_tensor_into_tasks;   // lat-e, lat2-e and the alternating solvers: their histograms spread one tensor over
                                     // the runner (runner.h) themselves, so callers hand them tensors one at a time
  CodeKind codes;
};
MethodTraits traits(Method method);

// True when quantize() spreads a single tensor's work over the runner (quant/runner.h): the
// exact ternary solvers (except in their code-faithful variant, which sorts instead), and the
// alternating solvers, whose large tensors go through histograms. A caller
// with many tensors then solves them one after another; otherwise it solves several at once.
bool spreads_one_tensor(Method method, bool code_faithful);

// Empty when `bits` is a width the method accepts, else why not, for a person ("laq-linear
// takes 2..8 bits", "lat-e takes no bit width").
std::string bits_problem(Method method, int64_t bits);
// The methods that take a bit width, with their ranges: "dorefa (1..8), laq-linear (2..8), ...".
std::string methods_with_bits();

}  // namespace laq::quant
