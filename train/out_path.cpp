#include "train/out_path.h"

#include <cstdio>

#include "engine/error.h"

namespace laq::train {

namespace {

// The name as an error message can carry it: a NUL would cut the message short.
std::string printable(const std::string& name) {
  std::string s;
  for (unsigned char c : name) {
    if (c >= 0x20 && c != 0x7F) {
      s.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      s += buf;
    }
  }
  return s;
}

}  // namespace

std::filesystem::path path_under(const std::filesystem::path& dir, const std::string& name, const std::string& what) {
  const bool plain = !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
                     name.find('\0') == std::string::npos;
  if (!plain)
    throw Error(what + ": the file name '" + printable(name) + "' is not a plain name inside " + dir.string() +
                " (no '/', '.' or '..' allowed)");
  return dir / name;
}

}  // namespace laq::train
