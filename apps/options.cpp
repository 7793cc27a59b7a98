#include "apps/options.h"

#include <iostream>

namespace laq::apps {

bool parse_or_help(int argc, char** argv, const po::options_description& options,
                   po::variables_map& vm, const std::string& usage_line) {
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
    if (vm.count("help")) {
      std::cout << usage_line << "\n\n" << options << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return true;
}

}  // namespace laq::apps
