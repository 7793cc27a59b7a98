#include "quant/quantize.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/error.h"
#include "quant/alternating.h"
#include "quant/baselines.h"
#include "quant/binary.h"
#include "quant/checks.h"
#include "quant/objective.h"
#include "quant/runner.h"
#include "quant/ternary_exact.h"

namespace laq::quant {

Scales quantize(Method method, const Input& input, std::span<float> out, const Options& options, Trace* trace,
                std::vector<float>* d_buffer) {
  const std::string name = "quantize(" + method_name(method) + ")";
  const std::span<const float> w = input.w, warm = input.warm;
  require_size(out, w.size(), name.c_str(), "out");
  require_no_alias(w, out, name.c_str());
  const MethodTraits t = traits(method);
  if (t.uses_curvature) require_size(input.d, w.size(), name.c_str());
  if (t.uses_warm_start) require_size(warm, w.size(), name.c_str(), "warm");
  // The solvers that take d as values get the view written out (none when d is values).
  std::vector<float> own_buffer;
  std::vector<float>& buffer = d_buffer ? *d_buffer : own_buffer;
  auto values = [&] {
    if (input.d.kind == Curvature::Kind::values) return input.d.data;
    if (buffer.size() < w.size()) buffer.resize(w.size());
    const std::span<float> d = std::span(buffer).first(w.size());
    // Elementwise, in pieces over the runner: the solvers that spread one tensor get it whole.
    for_each_piece(d.size(), kPassPiece, [&](std::size_t, std::size_t first, std::size_t last) {
      input.d.slice(first, last - first).write(d.subspan(first, last - first));
    });
    return std::span<const float>(d);
  };

  switch (method) {
    case Method::fpn:
      std::copy(w.begin(), w.end(), out.begin());
      return {1.0f, 1.0f};
    case Method::bc: return binary_connect(w, options.bc_scale, out);
    case Method::bwn: return bwn(w, out);
    case Method::twn: return twn(w, out);
    case Method::ttq:
      ttq_forward(w, input.trained.positive, input.trained.negative, options.ttq_threshold, out);
      return input.trained;
    case Method::dorefa: return dorefa(w, options.bits, out);
    case Method::lab: return lab(w, values(), out, trace);
    case Method::lat_e: return lat_exact(w, input.d, out, options.code_faithful, trace);
    case Method::lat_a: return lat_alternating(w, values(), warm, out, options, trace);
    case Method::lat2_e: return lat2_exact(w, input.d, out, options.code_faithful, trace);
    case Method::lat2_a: return lat2_alternating(w, values(), warm, out, options, trace);
    case Method::laq_linear: return laq_linear(w, values(), warm, out, options, trace);
    case Method::laq_log: return laq_log(w, values(), warm, out, options, trace);
  }
  throw Error("quantize: invalid method value");
}

void latent_gradient(Method method, const Input& input, std::span<float> g, const Options& options,
                     Scales* trained_gradients) {
  const std::string name = "latent_gradient(" + method_name(method) + ")";
  require_size(g, input.w.size(), name.c_str(), "g");
  switch (method) {
    case Method::ttq:
      if (!trained_gradients) throw Error(name + ": ttq needs somewhere to put its scales' gradients");
      ttq_backward(input.w, g, input.trained.positive, input.trained.negative, options.ttq_threshold, g,
                   trained_gradients->positive, trained_gradients->negative);
      return;
    case Method::dorefa: dorefa_backward(input.w, g, g); return;
    default: return;  // straight through: dL/dw = dL/dq
  }
}

Scales quantize(Method method, std::span<const float> w, std::span<const float> d, std::span<const float> warm,
                std::span<float> out, const Options& options, Trace* trace) {
  if (method == Method::ttq)
    throw Error(
        "quantize: ttq scales are trained parameters owned by the caller; pass them in Input::trained "
        "to quantize(method, input, ...), or call ttq_forward(w, wp, wn, t, out) from quant/baselines.h");
  return quantize(method, Input{w, Curvature::values(d), warm, {}}, out, options, trace);
}

void initial_warm_start(std::span<const float> w_init, std::span<float> warm) {
  require_size(warm, w_init.size(), "initial_warm_start", "warm");
  const double delta = 0.7 * weighted_abs_mean(w_init, {});
  const float high = static_cast<float>(2 * delta);
  for (std::size_t i = 0; i < w_init.size(); ++i)
    warm[i] = w_init[i] > delta ? high : (w_init[i] < -delta ? -high : 0.0f);
}

}  // namespace laq::quant
