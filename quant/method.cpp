#include "quant/method.h"

#include <array>
#include <cstddef>

#include "base/error.h"

namespace laq::quant {

namespace {

// One row per method: its name on the command line and its traits. Rows are in the order
// of the Method enum, which the static_assert below holds them to.
struct MethodInfo {
  Method method;
  const char* name;
  MethodTraits traits;
};

//                                                   two    curv   warm   bits   ttq    dorefa bits  code   lsq    tasks  codes
constexpr std::array<MethodInfo, all_methods.size()> kMethods = {{
    {Method::fpn, "fpn", {false, false, false, false, false, false, 0, 0, false, false, false, CodeKind::none}},
    {Method::bc, "bc", {false, false, false, false, false, false, 0, 0, false, false, false, CodeKind::binary}},
    {Method::bwn, "bwn", {false, false, false, false, false, false, 0, 0, false, false, false, CodeKind::binary}},
    {Method::twn, "twn", {false, false, false, false, false, false, 0, 0, false, false, false, CodeKind::ternary}},
    {Method::ttq, "ttq", {true, false, false, false, true, false, 0, 0, false, false, false, CodeKind::ternary}},
    {Method::dorefa, "dorefa", {false, false, false, true, false, true, 1, 8, false, false, false, CodeKind::level_table}},
    {Method::lab, "lab", {false, true, false, false, false, false, 0, 0, false, false, false, CodeKind::binary}},
    {Method::lat_e, "lat-e", {false, true, false, false, false, false, 0, 0, true, false, true, CodeKind::ternary}},
    {Method::lat_a, "lat-a", {false, true, true, false, false, false, 0, 0, false, false, true, CodeKind::ternary}},
    {Method::lat2_e, "lat2-e", {true, true, false, false, false, false, 0, 0, true, false, true, CodeKind::ternary}},
    {Method::lat2_a, "lat2-a", {true, true, true, false, false, false, 0, 0, true, false, true, CodeKind::ternary}},
    {Method::laq_linear, "laq-linear", {false, true, true, true, false, false, 2, 8, false, true, true, CodeKind::level_table}},
    {Method::laq_log, "laq-log", {false, true, true, true, false, false, 2, 8, false, true, true, CodeKind::level_table}},
}};

constexpr bool rows_follow_the_enum() {
  for (std::size_t i = 0; i < kMethods.size(); ++i)
    if (kMethods[i].method != all_methods[i] || static_cast<std::size_t>(all_methods[i]) != i) return false;
  return true;
}
static_assert(rows_follow_the_enum(), "kMethods and all_methods must list the methods in the enum's order");

const MethodInfo& info(Method method) {
  const auto i = static_cast<std::size_t>(method);
  if (i >= kMethods.size()) throw Error("invalid Method value " + std::to_string(static_cast<int>(method)));
  return kMethods[i];
}

}  // namespace

std::string method_name(Method method) { return info(method).name; }

Method parse_method(const std::string& name) {
  std::string valid;
  for (const MethodInfo& m : kMethods) {
    if (name == m.name) return m.method;
    valid += (valid.empty() ? "" : ", ") + std::string(m.name);
  }
  throw Error("unknown quantization method '" + name + "'; valid methods: " + valid);
}

MethodTraits traits(Method method) { return info(method).traits; }

bool spreads_one_tensor(Method method, bool code_faithful) {
  return traits(method).cuts_one_tensor_into_tasks && !code_faithful;
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
