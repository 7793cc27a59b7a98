// The results-line reader (train/json_reader.h) on what a torn, edited or hostile
// results.jsonl can hold: each case is refused with a laq::Error naming the column, never a
// crash, a hang or a silently wrong value; and everything our writer produces reads back.
#include "train/json_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datasets/idx_fixtures.h"
#include "engine/error.h"
#include "train/json.h"

namespace laq::test {
namespace {

using train::parse_json_line;

struct BadLine {
  std::string name, text, message;
};

class JsonReaderRefuses : public ::testing::TestWithParam<BadLine> {};

TEST_P(JsonReaderRefuses, WithALaqErrorNamingTheProblemAndColumn) {
  const BadLine& c = GetParam();
  expect_error([&] { parse_json_line(c.text); }, {c.message, "at column"});
}

std::vector<BadLine> bad_lines() {
  const std::string deep_objects = std::string("{") + [] {
    std::string s;
    for (int i = 0; i < 100000; ++i) s += "\"a\": {";
    return s;
  }();
  std::string deep_arrays = "{\"a\": ";
  for (int i = 0; i < 100000; ++i) deep_arrays += "[";
  return {
      {"DeepObjects", deep_objects, "nesting deeper than"},
      {"DeepArrays", deep_arrays, "nesting deeper than"},
      {"ShortUnicodeEscape", R"({"a": "\u12"})", "bad \\u escape"},
      {"UnicodeEscapeAtEnd", R"({"a": "\u)", "bad \\u escape"},
      {"NonHexUnicodeEscape", R"({"a": "\uZZZZ"})", "bad \\u escape"},
      {"SignedUnicodeEscape", R"({"a": "\u+123"})", "bad \\u escape"},
      {"LoneHighSurrogate", R"({"a": "\uD800x"})", "surrogate"},
      {"LoneLowSurrogate", R"({"a": "\uDC00"})", "surrogate"},
      {"EscapedNul", R"({"a": "x\u0000y"})", "NUL"},
      {"UnknownEscape", R"({"a": "\q"})", "bad escape"},
      {"TruncatedInString", R"({"type": "epo)", "unterminated string"},
      {"TruncatedAfterKey", R"({"type")", "expected ':'"},
      {"TruncatedAfterComma", R"({"type": "epoch", )", "expected '\"'"},
      {"TruncatedArray", R"({"a": [1, 2)", "expected ']'"},
      {"HugeNumber", R"({"epoch": 1e999})", "out of range"},
      {"HugeNegativeNumber", R"({"epoch": -1e400})", "out of range"},
      {"NanLiteral", R"({"epoch": nan})", "expected a value"},
      {"InfinityLiteral", R"({"epoch": Infinity})", "expected a value"},
      {"HexNumber", R"({"epoch": 0x10})", "expected '}'"},
      {"LeadingPlus", R"({"epoch": +1})", "expected a value"},
      {"RawNulInString", std::string("{\"a\": \"x\0y\"}", 12), "NUL byte"},
      {"RawNulOutside", std::string("{\"a\": 1\0}", 9), "expected"},
      {"RawControlCharacter", "{\"a\": \"x\x01y\"}", "control character"},
      {"InvalidUtf8Byte", "{\"a\": \"\xff\"}", "invalid UTF-8"},
      {"OverlongUtf8", "{\"a\": \"\xc0\xaf\"}", "invalid UTF-8"},
      {"Utf8Surrogate", "{\"a\": \"\xed\xa0\x80\"}", "invalid UTF-8"},
      {"TruncatedUtf8", "{\"a\": \"\xe2\x82", "invalid UTF-8"},
      {"AnArrayLine", R"([{"type": "epoch"}])", "must be a JSON object"},
      {"ANumberLine", "42", "must be a JSON object"},
      {"DuplicatedKey", R"({"epoch": 1, "epoch": 2})", "duplicated key \"epoch\""},
      {"DuplicatedNestedKey", R"({"config": {"method": "bc"}, "config": {"method": "lab"}})",
       "duplicated key \"config.method\""},
      {"TextAfterObject", R"({"a": 1} {"a": 2})", "text after the closing '}'"},
      {"BadLiteral", R"({"a": tru})", "expected a value"},
  };
}

INSTANTIATE_TEST_SUITE_P(Pathological, JsonReaderRefuses, ::testing::ValuesIn(bad_lines()),
                         [](const auto& info) { return info.param.name; });

TEST(JsonReader, ReadsBackWhatTheWriterWrites) {
  std::string every_byte;
  for (int c = 1; c < 0x80; ++c) every_byte.push_back(static_cast<char>(c));
  const std::string unicode = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  const std::vector<double> values = {1.5, -2.0, 1e-300};
  train::Json nested;
  nested.add("method", "lat-e").add("bits", 3);
  train::Json j;
  j.add("config", nested).add("controls", every_byte).add("unicode", unicode).add("n", 1.7976931348623157e308).add("array", std::span<const double>(values)).add("yes", true).add_null("none");
  const train::FlatJson f = parse_json_line(j.str());
  EXPECT_EQ(f.at("config.method").str, "lat-e");
  EXPECT_EQ(f.at("config.bits").num, 3);
  EXPECT_EQ(f.at("controls").str, every_byte);
  EXPECT_EQ(f.at("unicode").str, unicode);
  EXPECT_EQ(f.at("n").num, 1.7976931348623157e308);
  EXPECT_EQ(f.at("array").kind, train::JsonValue::array);
  EXPECT_EQ(f.at("yes").kind, train::JsonValue::boolean);
  EXPECT_EQ(f.at("none").kind, train::JsonValue::null);
}

TEST(JsonReader, DecodesEscapesStrictlyToUtf8) {
  const train::FlatJson f = parse_json_line(R"({"a": "\u00e9\u20ac\ud83d\ude00\/\"\\\b\f\n\r\t"})");
  EXPECT_EQ(f.at("a").str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\"\\\b\f\n\r\t");
}

TEST(JsonReader, NestingUpToTheLimitIsRead) {
  std::string line = "{";
  for (int i = 1; i < train::kMaxJsonDepth; ++i) line += "\"k\": {";
  line += "\"v\": 1";
  for (int i = 0; i < train::kMaxJsonDepth; ++i) line += "}";
  const train::FlatJson f = parse_json_line(line);
  EXPECT_EQ(f.size(), 1u);
}

}  // namespace
}  // namespace laq::test
