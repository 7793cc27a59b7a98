#include "quant/method.h"

#include "base/error.h"

namespace laq::quant {

std::string method_name(Method method) {
  switch (method) {
    case Method::fpn: return "fpn";
    case Method::bc: return "bc";
    case Method::bwn: return "bwn";
    case Method::twn: return "twn";
    case Method::ttq: return "ttq";
    case Method::dorefa: return "dorefa";
    case Method::lab: return "lab";
    case Method::lat_e: return "lat-e";
    case Method::lat_a: return "lat-a";
    case Method::lat2_e: return "lat2-e";
    case Method::lat2_a: return "lat2-a";
    case Method::laq_linear: return "laq-linear";
    case Method::laq_log: return "laq-log";
  }
  throw Error("method_name: invalid Method value " + std::to_string(static_cast<int>(method)));
}

Method parse_method(const std::string& name) {
  std::string valid;
  for (Method m : all_methods) {
    if (method_name(m) == name) return m;
    valid += (valid.empty() ? "" : ", ") + method_name(m);
  }
  throw Error("unknown quantization method '" + name + "'; valid methods: " + valid);
}

MethodTraits traits(Method method) {
  //                                 two    curv   warm   bits   ttq    dorefa  bits    code   lsq
  switch (method) {
    case Method::fpn:        return {false, false, false, false, false, false, 0, 0, false, false};
    case Method::bc:         return {false, false, false, false, false, false, 0, 0, false, false};
    case Method::bwn:        return {false, false, false, false, false, false, 0, 0, false, false};
    case Method::twn:        return {false, false, false, false, false, false, 0, 0, false, false};
    case Method::ttq:        return {true,  false, false, false, true,  false, 0, 0, false, false};
    case Method::dorefa:     return {false, false, false, true,  false, true,  1, 8, false, false};
    case Method::lab:        return {false, true,  false, false, false, false, 0, 0, false, false};
    case Method::lat_e:      return {false, true,  false, false, false, false, 0, 0, true,  false};
    case Method::lat_a:      return {false, true,  true,  false, false, false, 0, 0, false, false};
    case Method::lat2_e:     return {true,  true,  false, false, false, false, 0, 0, true,  false};
    case Method::lat2_a:     return {true,  true,  true,  false, false, false, 0, 0, true,  false};
    case Method::laq_linear: return {false, true,  true,  true,  false, false, 2, 8, false, true};
    case Method::laq_log:    return {false, true,  true,  true,  false, false, 2, 8, false, true};
  }
  throw Error("traits: invalid Method value " + std::to_string(static_cast<int>(method)));
}

std::string bits_problem(Method method, int64_t bits) {
  const MethodTraits t = traits(method);
  if (!t.needs_bits) return method_name(method) + " takes no bit width (" + methods_with_bits() + " do)";
  if (bits < t.min_bits || bits > t.max_bits)
    return method_name(method) + " takes " + std::to_string(t.min_bits) + ".." + std::to_string(t.max_bits) + " bits";
  return {};
}

std::string methods_with_bits() {
  std::string list;
  for (Method m : all_methods) {
    const MethodTraits t = traits(m);
    if (!t.needs_bits) continue;
    list += (list.empty() ? "" : ", ") + method_name(m) + " (" + std::to_string(t.min_bits) + ".." +
            std::to_string(t.max_bits) + ")";
  }
  return list;
}

}  // namespace laq::quant
