#include "quant/method.h"

#include "engine/error.h"

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
  //                                 two    curv   warm   bits   ttq    dorefa
  switch (method) {
    case Method::fpn:        return {false, false, false, false, false, false};
    case Method::bc:         return {false, false, false, false, false, false};
    case Method::bwn:        return {false, false, false, false, false, false};
    case Method::twn:        return {false, false, false, false, false, false};
    case Method::ttq:        return {true,  false, false, false, true,  false};
    case Method::dorefa:     return {false, false, false, true,  false, true};
    case Method::lab:        return {false, true,  false, false, false, false};
    case Method::lat_e:      return {false, true,  false, false, false, false};
    case Method::lat_a:      return {false, true,  true,  false, false, false};
    case Method::lat2_e:     return {true,  true,  false, false, false, false};
    case Method::lat2_a:     return {true,  true,  true,  false, false, false};
    case Method::laq_linear: return {false, true,  true,  true,  false, false};
    case Method::laq_log:    return {false, true,  true,  true,  false, false};
  }
  throw Error("traits: invalid Method value " + std::to_string(static_cast<int>(method)));
}

}  // namespace laq::quant
