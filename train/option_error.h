#pragma once
// The error that names the `laq train` flag at fault. The command line reports it as a usage
// error (exit 2) when the value came from the user, as a runtime error when it came from a
// checkpoint. Its own header so that the checks (run_checks.h) and the data loaders
// (experiment.h) can both throw it without including one another.
#include <string>

#include "engine/error.h"

namespace laq::train {

// A setting that cannot work. `option()` is the flag's spelling without dashes ("batch",
// "val-size"); what() reads "the argument ('0') for option '--batch' is invalid: why", the
// same words as every other bad flag value.
class OptionError : public Error {
 public:
  OptionError(const std::string& option, const std::string& value, const std::string& why);
  const std::string& option() const { return option_; }

 private:
  std::string option_;
};

}  // namespace laq::train
