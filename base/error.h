#pragma once
// The one exception type of laq. Code below apps/ never prints or exits: it throws
// laq::Error with a message that names the file, argument or shape at fault, and the
// app turns it into one line on stderr and a non-zero exit code.
#include <stdexcept>
#include <string>

namespace laq {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace laq
