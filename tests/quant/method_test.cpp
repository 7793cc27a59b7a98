// The method registry.
#include <gtest/gtest.h>

#include "engine/error.h"
#include "quant/method.h"

namespace laq::quant {
namespace {

TEST(Method, NamesRoundTrip) {
  for (Method m : all_methods) EXPECT_EQ(parse_method(method_name(m)), m);
  EXPECT_EQ(parse_method("lat2-e"), Method::lat2_e);
  EXPECT_EQ(parse_method("laq-linear"), Method::laq_linear);
}

TEST(Method, UnknownNameListsTheValidOnes) {
  try {
    parse_method("LAT_e");
    FAIL() << "expected laq::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (Method m : all_methods) EXPECT_NE(message.find(method_name(m)), std::string::npos) << method_name(m);
    EXPECT_NE(message.find("LAT_e"), std::string::npos);
  }
}

TEST(Method, Traits) {
  EXPECT_TRUE(traits(Method::lat2_a).two_scales);
  EXPECT_TRUE(traits(Method::lat2_a).uses_warm_start);
  EXPECT_FALSE(traits(Method::lat_e).uses_warm_start);
  EXPECT_TRUE(traits(Method::lab).uses_curvature);
  EXPECT_FALSE(traits(Method::twn).uses_curvature);
  EXPECT_TRUE(traits(Method::laq_log).needs_bits);
  EXPECT_TRUE(traits(Method::ttq).scales_trained_by_gradient);
  EXPECT_TRUE(traits(Method::dorefa).gradient_through_quantizer);
  EXPECT_FALSE(traits(Method::bc).gradient_through_quantizer);
}

}  // namespace
}  // namespace laq::quant
