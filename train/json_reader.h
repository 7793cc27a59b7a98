#pragma once
// A strict reader for one line of JSON of the shape train/json.h writes: an object whose
// values are strings, numbers, booleans, null, arrays or nested objects. Nested keys come
// back flattened ("config.method"); an array is kept as its text. A results file is input
// like any other, so anything else is refused with a laq::Error saying what and at which
// column: a top-level value that is not an object, nesting deeper than kMaxJsonDepth, a bad
// or lone-surrogate \u escape, an escaped or raw NUL or control character, invalid UTF-8,
// a number outside the double range, a duplicated key, or text after the closing brace.
#include <map>
#include <string>
#include <string_view>

namespace laq::train {

struct JsonValue {
  enum Kind { null,
              number,
              string,
              boolean,
              array } kind = null;
  double num = 0;
  std::string str;  // a string's value, or an array's text
};
using FlatJson = std::map<std::string, JsonValue>;

// Objects and arrays nested deeper than this are refused (the reader recurses once per level).
constexpr int kMaxJsonDepth = 32;

FlatJson parse_json_line(std::string_view line);

}  // namespace laq::train
