#include "train/json_reader.h"

#include <cmath>
#include <cstdlib>

#include "engine/error.h"

namespace laq::train {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  FlatJson parse() {
    FlatJson out;
    skip_ws();
    if (p_ < s_.size() && s_[p_] != '{') fail("a results line must be a JSON object");
    object("", out, 1);
    skip_ws();
    if (p_ != s_.size()) fail("text after the closing '}'");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(what + " at column " + std::to_string(p_ + 1));
  }
  void skip_ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\r' || s_[p_] == '\n')) ++p_;
  }
  void expect(char c) {
    skip_ws();
    if (p_ >= s_.size() || s_[p_] != c) fail(std::string("expected '") + c + "'");
    ++p_;
  }
  bool peek(char c) {
    skip_ws();
    return p_ < s_.size() && s_[p_] == c;
  }
  void check_depth(int depth) const {
    if (depth > kMaxJsonDepth) fail("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }

  void object(const std::string& prefix, FlatJson& out, int depth) {
    check_depth(depth);
    expect('{');
    if (peek('}')) {
      ++p_;
      return;
    }
    for (;;) {
      skip_ws();
      const size_t key_at = p_;
      const std::string key = prefix + string();
      expect(':');
      if (peek('{')) {
        object(key + ".", out, depth + 1);
      } else {
        JsonValue v = value(depth);
        if (!out.emplace(key, std::move(v)).second) {
          p_ = key_at;
          fail("duplicated key \"" + key + "\"");
        }
      }
      if (peek(',')) {
        ++p_;
        continue;
      }
      expect('}');
      return;
    }
  }

  unsigned hex4() {
    if (p_ + 4 > s_.size()) fail("bad \\u escape (expected 4 hex digits)");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[p_ + i];
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                 : c >= 'A' && c <= 'F'   ? c - 'A' + 10
                                                                          : -1;
      if (d < 0) fail("bad \\u escape (expected 4 hex digits)");
      v = v * 16 + static_cast<unsigned>(d);
    }
    p_ += 4;
    return v;
  }

  static void put_utf8(std::string& r, unsigned cp) {
    if (cp < 0x80) {
      r.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      r.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      r.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      r.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      r.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      r.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      r.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      r.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      r.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      r.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  unsigned escaped_code_point() {
    unsigned cp = hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF) fail("bad \\u escape (a lone low surrogate)");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (s_.substr(p_, 2) != "\\u") fail("bad \\u escape (a high surrogate without its pair)");
      p_ += 2;
      const unsigned low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("bad \\u escape (a high surrogate without its pair)");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0) fail("a NUL character (\\u0000) in a string");
    return cp;
  }

  // One UTF-8 encoded character starting at p_ (its first byte >= 0x80), copied to r.
  void utf8_char(std::string& r) {
    const auto b = [&](size_t i) { return static_cast<unsigned char>(s_[p_ + i]); };
    const unsigned char c = b(0);
    size_t n = 0;
    unsigned cp = 0;
    if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
    else fail("invalid UTF-8");
    if (p_ + n > s_.size()) fail("invalid UTF-8 (a truncated character)");
    for (size_t i = 1; i < n; ++i) {
      if ((b(i) & 0xC0) != 0x80) fail("invalid UTF-8");
      cp = (cp << 6) | (b(i) & 0x3F);
    }
    const unsigned smallest = n == 2 ? 0x80 : n == 3 ? 0x800
                                                     : 0x10000;
    if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail("invalid UTF-8");
    r.append(s_.substr(p_, n));
    p_ += n;
  }

  std::string string() {
    expect('"');
    std::string r;
    for (;;) {
      if (p_ >= s_.size()) fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') break;
      if (c < 0x20) fail(c == 0 ? "a NUL byte in a string" : "a raw control character in a string");
      if (c >= 0x80) {
        utf8_char(r);
        continue;
      }
      ++p_;
      if (c != '\\') {
        r.push_back(static_cast<char>(c));
        continue;
      }
      if (p_ >= s_.size()) fail("unterminated string");
      const char e = s_[p_++];
      switch (e) {
        case '"':
        case '\\':
        case '/': r.push_back(e); break;
        case 'n': r.push_back('\n'); break;
        case 't': r.push_back('\t'); break;
        case 'r': r.push_back('\r'); break;
        case 'b': r.push_back('\b'); break;
        case 'f': r.push_back('\f'); break;
        case 'u': put_utf8(r, escaped_code_point()); break;
        default: --p_; fail(std::string("bad escape '\\") + e + "'");
      }
    }
    ++p_;
    return r;
  }

  // The JSON number grammar, checked before conversion: strtod alone would also take
  // "inf", "nan", hex and leading '+'.
  double number() {
    const size_t begin = p_;
    auto digits = [&] {
      const size_t d = p_;
      while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
      return p_ > d;
    };
    if (p_ < s_.size() && s_[p_] == '-') ++p_;
    if (p_ < s_.size() && s_[p_] == '0') ++p_;
    else if (!digits()) fail("expected a value");
    if (p_ < s_.size() && s_[p_] == '.') {
      ++p_;
      if (!digits()) fail("bad number");
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      ++p_;
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
      if (!digits()) fail("bad number");
    }
    const std::string text(s_.substr(begin, p_ - begin));
    const double v = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(v)) {
      p_ = begin;
      fail("number " + text.substr(0, 40) + " is out of range");
    }
    return v;
  }

  bool literal(std::string_view word) {
    if (s_.substr(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  JsonValue value(int depth) {
    skip_ws();
    JsonValue v;
    if (p_ >= s_.size()) fail("expected a value");
    const char c = s_[p_];
    if (c == '"') {
      v.kind = JsonValue::string;
      v.str = string();
    } else if (literal("null")) {
    } else if (literal("true") || literal("false")) {
      v.kind = JsonValue::boolean;
      v.num = c == 't';
    } else if (c == '[') {
      const size_t begin = p_;
      array(depth + 1);
      v.kind = JsonValue::array;
      v.str = std::string(s_.substr(begin, p_ - begin));
    } else if (c == '{') {  // an object inside an array: checked, then dropped with it
      FlatJson ignored;
      object("", ignored, depth + 1);
    } else {
      v.kind = JsonValue::number;
      v.num = number();
    }
    return v;
  }

  void array(int depth) {
    check_depth(depth);
    expect('[');
    if (peek(']')) {
      ++p_;
      return;
    }
    for (;;) {
      value(depth);
      if (peek(',')) {
        ++p_;
        continue;
      }
      expect(']');
      return;
    }
  }

  std::string_view s_;
  size_t p_ = 0;
};

}  // namespace

FlatJson parse_json_line(std::string_view line) { return Parser(line).parse(); }

}  // namespace laq::train
