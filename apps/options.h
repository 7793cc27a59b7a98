#pragma once
// Shared command-line plumbing: parse with Boost.Program_options and turn every parse
// problem into a UsageError (one line, exit code 2).
#include <boost/program_options.hpp>
#include <string>

#include "apps/commands.h"

namespace laq::apps {

namespace po = boost::program_options;

// Parses argv against `options`; prints help and returns false when --help was given.
bool parse_or_help(int argc, char** argv, const po::options_description& options,
                   po::variables_map& vm, const std::string& usage_line);

template <typename T>
void require(bool ok, const std::string& flag, const T& value, const std::string& why) {
  if (!ok) {
    std::ostringstream s;
    s << "the argument ('" << value << "') for option '--" << flag << "' is invalid: " << why;
    throw UsageError(s.str());
  }
}

}  // namespace laq::apps
