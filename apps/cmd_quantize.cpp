// laq quantize: run one quantizer on a small CSV of weights and curvatures and print the
// result as one JSON object; with --explain, every step the solver took, for a student.
//   input:  header "w,d", then one "weight,curvature" per line
//   warm:   header "w", then one previous quantized value per line (alternating solvers)
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "apps/commands.h"
#include "apps/options.h"
#include "engine/error.h"
#include "quant/checks.h"
#include "quant/curvature.h"
#include "quant/objective.h"
#include "quant/quantize.h"
#include "train/json.h"
#include "train/text_input.h"

namespace laq::apps {
namespace {

// One field as a float. NaN, inf and values beyond the float range are refused here, with
// the file and line: they have no quantized code, and the solvers would refuse them anyway
// without saying where they came from. Values below the float range become denormals or 0.
float parse_number(const std::string& text, const std::string& file, int line) {
  const std::string where = file + ":" + std::to_string(line) + ": '" + text + "'";
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(begin, &end);
  const bool overflow = errno == ERANGE && std::fabs(v) > 1;  // ERANGE also flags underflow
  size_t used = static_cast<size_t>(end - begin);
  while (used < text.size() && (text[used] == ' ' || text[used] == '\r')) ++used;
  if (used != text.size() || end == begin) throw Error(where + " is not a number");
  const float f = static_cast<float>(v);
  if (overflow || (std::isfinite(v) && !std::isfinite(f))) throw Error(where + " is beyond the float range (largest 3.4e38)");
  if (!std::isfinite(v)) throw Error(where + " is not finite (NaN and infinity have no quantized code)");
  return f;
}

// Reads a CSV whose header is exactly `header`; returns its columns.
std::vector<std::vector<float>> read_csv(const std::string& file, const std::vector<std::string>& header) {
  std::ifstream in = train::open_text_input(file, "CSV file");
  std::string line;
  std::string expected;
  for (size_t i = 0; i < header.size(); ++i) expected += (i ? "," : "") + header[i];
  if (std::getline(in, line)) train::strip_utf8_bom(line);
  if (!in || (line.erase(line.find_last_not_of(" \r") + 1), line != expected))
    throw Error(file + ":1: the header must be '" + expected + "'");
  std::vector<std::vector<float>> cols(header.size());
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \r") == std::string::npos) continue;
    std::stringstream fields(line);
    std::string field;
    size_t k = 0;
    for (; std::getline(fields, field, ','); ++k) {
      if (k >= header.size()) throw Error(file + ":" + std::to_string(n) + ": too many fields");
      cols[k].push_back(parse_number(field, file, n));
    }
    if (k != header.size())
      throw Error(file + ":" + std::to_string(n) + ": expected " + std::to_string(header.size()) + " fields");
  }
  if (cols[0].empty()) throw Error(file + ": no rows after the header");
  return cols;
}

}  // namespace

int run_quantize(int argc, char** argv) {
  std::string method_name, input, warm_file;
  quant::Options options;
  bool explain = false, least_squares = false;
  po::options_description o("laq quantize options");
  o.add_options()("help,h", "show this help")("method", po::value(&method_name)->required(), "lab, lat-e, lat-a, lat2-e, lat2-a, laq-linear, laq-log, bwn, twn, bc, dorefa, fpn")("bits", po::value(&options.bits)->default_value(3), "bit width m: laq-linear and laq-log 2..8, dorefa 1..8 (no other method takes one)")("code-faithful", po::bool_switch(&options.code_faithful), "reproduce the authors' code quirks (lat-e, lat2-e, lat2-a)")("least-squares-alpha", po::bool_switch(&least_squares), "LAQ multi-level scale by least squares instead of the code's formula (laq-linear, laq-log)")("input", po::value(&input)->required(), "CSV with header 'w,d': weight and curvature per line")("warm", po::value(&warm_file), "CSV with header 'w': the previous quantized values, for the alternating solvers (default: the TWN sign pattern of the input)")("explain", po::bool_switch(&explain), "print each step the solver took before the JSON");
  po::variables_map vm;
  if (!parse_or_help(argc, argv, o, vm, "usage: laq quantize --method M [--bits m] [--code-faithful] --input FILE [--warm FILE] [--explain]"))
    return 0;
  options.least_squares_alpha = least_squares;
  quant::Method method;
  try {
    method = quant::parse_method(method_name);
  } catch (const Error& e) {
    throw UsageError(std::string("option '--method': ") + e.what());
  }
  const quant::MethodTraits traits = quant::traits(method);
  if (traits.scales_trained_by_gradient)
    throw UsageError("option '--method': " + method_name + "'s scales are trained by gradient, so it has no stand-alone solver");
  if (traits.needs_bits) require(quant::bits_problem(method, options.bits).empty(), "bits", options.bits,
                                 quant::bits_problem(method, options.bits));
  refuse_without_effect(vm, "bits", traits.needs_bits, quant::bits_problem(method, options.bits));
  refuse_without_effect(vm, "code-faithful", traits.has_code_faithful_variant,
                        method_name + " has no code-faithful variant (lat-e, lat2-e and lat2-a do)");
  refuse_without_effect(vm, "least-squares-alpha", traits.least_squares_alpha_matters,
                        "only the multi-level codes (laq-linear, laq-log) have a scale it changes");
  refuse_without_effect(vm, "warm", traits.uses_warm_start,
                        method_name +
                            " does not start from a previous solution "
                            "(lat-a, lat2-a, laq-linear and laq-log do)");

  const auto cols = read_csv(input, {"w", "d"});
  const std::vector<float>& w = cols[0];
  const std::vector<float>& d = cols[1];
  for (size_t i = 0; i < d.size(); ++i)
    if (!(d[i] > 0)) throw Error(input + ":" + std::to_string(i + 2) + ": the curvature d must be positive");
  std::vector<float> warm(w.size());
  if (!warm_file.empty()) {
    warm = read_csv(warm_file, {"w"})[0];
    if (warm.size() != w.size())
      throw Error(warm_file + " has " + std::to_string(warm.size()) + " rows, " + input + " has " +
                  std::to_string(w.size()));
  } else {
    quant::initial_warm_start(w, warm);
  }

  std::vector<float> out(w.size());
  quant::Trace trace;
  const quant::Scales s = quant::quantize(method, w, d, warm, out, options, explain ? &trace : nullptr);
  if (explain)
    for (const std::string& line : trace.render()) std::cout << line << "\n";

  std::vector<double> scales{s.positive};
  if (traits.two_scales) scales.push_back(s.negative);
  std::vector<double> values(out.begin(), out.end());
  train::Json j;
  j.add("method", quant::method_name(method));
  if (traits.needs_bits) j.add("bits", options.bits);
  else j.add_null("bits");
  j.add("scales", scales).add("values", values).add("objective", quant::objective(w, d, out));
  std::cout << j.str() << std::endl;
  return 0;
}

}  // namespace laq::apps
