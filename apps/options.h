#pragma once
// Shared command-line plumbing: parse with Boost.Program_options and turn every parse
// problem into a UsageError (one line, exit code 2).
#include <boost/program_options.hpp>
#include <string>

#include "apps/commands.h"

namespace laq::apps {

namespace po = boost::program_options;

// Parses argv against `options`; prints help and returns false when --help was given. The
// help ends with kFlagRule, the rule every command follows.
bool parse_or_help(int argc, char** argv, const po::options_description& options,
                   po::variables_map& vm, const std::string& usage_line);

inline constexpr const char* kFlagRule =
    "A value out of range, and a flag given where it has no effect (with the chosen method, optimizer,\n"
    "experiment or mode), is refused: one line on stderr naming the flag, exit code 2.";

// Whether the user gave `flag` on the command line (not just its default).
bool given(const po::variables_map& vm, const std::string& flag);

// The rule of every command: a flag the user gave that has no effect in the chosen
// configuration is refused rather than silently ignored; `why` says what it would need.
void refuse_without_effect(const po::variables_map& vm, const std::string& flag, bool has_effect,
                           const std::string& why);

template <typename T>
void require(bool ok, const std::string& flag, const T& value, const std::string& why) {
  if (!ok) {
    std::ostringstream s;
    s << "the argument ('" << value << "') for option '--" << flag << "' is invalid: " << why;
    throw UsageError(s.str());
  }
}

}  // namespace laq::apps
