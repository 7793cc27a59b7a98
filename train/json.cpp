#include "train/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace laq::train {

std::string Json::quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string Json::number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

Json& Json::raw(const std::string& key, const std::string& json) {
  if (!body_.empty()) body_ += ", ";
  body_ += quote(key) + ": " + json;
  return *this;
}

Json& Json::add(const std::string& key, const std::string& value) { return raw(key, quote(value)); }
Json& Json::add(const std::string& key, double value) { return raw(key, number(value)); }
Json& Json::add(const std::string& key, int64_t value) { return raw(key, std::to_string(value)); }
Json& Json::add(const std::string& key, bool value) { return raw(key, value ? "true" : "false"); }
Json& Json::add(const std::string& key, const Json& object) { return raw(key, object.str()); }
Json& Json::add_null(const std::string& key) { return raw(key, "null"); }

Json& Json::add(const std::string& key, std::span<const double> values) {
  std::string a = "[";
  for (size_t i = 0; i < values.size(); ++i) a += (i ? ", " : "") + number(values[i]);
  return raw(key, a + "]");
}

}  // namespace laq::train
