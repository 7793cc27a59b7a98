#pragma once
// A minimal JSON writer for results lines: keys in insertion order, numbers in their
// shortest round-trip form, strings escaped. Writing only: the reader of these lines, for
// `laq table`, is train/json_reader.h (used by train/results_file.cpp).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace laq::train {

class Json {
 public:
  Json& add(const std::string& key, const std::string& value);
  Json& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
  Json& add(const std::string& key, double value);
  Json& add(const std::string& key, int64_t value);
  Json& add(const std::string& key, int value) { return add(key, static_cast<int64_t>(value)); }
  Json& add(const std::string& key, bool value);
  Json& add(const std::string& key, std::span<const double> values);
  Json& add(const std::string& key, const Json& object);  // nested object
  Json& add_null(const std::string& key);
  std::string str() const { return "{" + body_ + "}"; }

  static std::string quote(const std::string& s);
  static std::string number(double v);  // NaN and infinities become null

 private:
  Json& raw(const std::string& key, const std::string& json);
  std::string body_;
};

}  // namespace laq::train
