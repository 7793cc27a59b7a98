#include "apps/options.h"

#include <iostream>

namespace laq::apps {

bool parse_or_help(int argc, char** argv, const po::options_description& options,
                   po::variables_map& vm, const std::string& usage_line) {
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
    if (vm.count("help")) {
      std::cout << usage_line << "\n\n"
                << options << "\n"
                << kFlagRule << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return true;
}

bool given(const po::variables_map& vm, const std::string& flag) { return vm.count(flag) && !vm[flag].defaulted(); }

void refuse_without_effect(const po::variables_map& vm, const std::string& flag, bool has_effect,
                           const std::string& why) {
  if (!has_effect && given(vm, flag)) throw UsageError("option '--" + flag + "' has no effect here: " + why);
}

}  // namespace laq::apps
