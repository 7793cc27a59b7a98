#include "train/option_error.h"

namespace laq::train {

OptionError::OptionError(const std::string& option, const std::string& value, const std::string& why)
    : Error("the argument ('" + value + "') for option '--" + option + "' is invalid: " + why), option_(option) {}

}  // namespace laq::train
