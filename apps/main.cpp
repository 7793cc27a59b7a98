// laq: the command line. Each subcommand lives in its own file (apps/cmd_*.cpp) and is
// registered in the table below.
#include <cstdlib>
#include <iostream>
#include <string>

#include "apps/commands.h"
#include "apps/process_setup.h"
#include "apps/world.h"
#include "engine/error.h"
#include "optim/quant_threads.h"

int main(int argc, char** argv) {
  laq::apps::prepare_blas_environment(argv);
  laq::apps::tune_allocator();
  laq::apps::ignore_file_size_signal();
  laq::optim::lend_engine_threads_to_quant();
  const std::string usage =
      "usage: laq <command> [options]\n"
      "commands:\n"
      "  train      train one experiment (laq train --help)\n"
      "  bench      time one training step (laq bench --help)\n"
      "  quantize   run one quantizer on a CSV of weights and curvatures (laq quantize --help)\n"
      "  export     pack a quantized run's weights at their real bit width (laq export --help)\n"
      "  inspect    sizes, scales and error of a packed model (laq inspect --help)\n"
      "  infer      evaluate a packed model from its codes (laq infer --help)\n"
      "  sample     generate text from a packed char-LSTM model (laq sample --help)\n"
      "  table      gather results.jsonl files into the paper's tables and plots (laq table --help)\n";
  if (argc < 2) {
    std::cerr << usage;
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << usage;
    return 0;
  }
  // In a job of several ranks, every rank's message names its rank.
  const int ranks = laq::apps::launcher_ranks();
  const std::string who = "laq " + command + (ranks > 1 ? " (rank " + std::to_string(laq::apps::launcher_rank()) + ")" : "");
  try {
    for (const auto& c : laq::apps::commands())
      if (c.name == command) {
        const int code = c.run(argc - 1, argv + 1);
        laq::apps::end_world(code, false);
        return code;
      }
  } catch (const laq::apps::UsageError& e) {
    std::cerr << who << ": " << e.what() << "\n";
    laq::apps::end_world(2, false);  // every rank parsed the same arguments and stops alike
    return 2;
  } catch (const laq::Error& e) {
    std::cerr << who << ": error: " << e.what() << "\n";
    laq::apps::end_world(1, true);
    return 1;
  } catch (const std::exception& e) {
    // The last net under the ones above: a library exception (std::filesystem_error,
    // std::bad_alloc, ...) that no caller turned into a laq::Error is still one line and
    // exit 1, never std::terminate's abort.
    std::cerr << who << ": error: " << e.what() << "\n";
    laq::apps::end_world(1, true);
    return 1;
  }
  std::cerr << "laq: unknown command '" << command << "'\n"
            << usage;
  return 2;
}
