#include "apps/commands.h"

namespace laq::apps {

const std::vector<Command>& commands() {
  static const std::vector<Command> table{
      {"train", run_train},
      {"bench", run_bench},
      {"quantize", run_quantize},
      {"export", run_export},
      {"inspect", run_inspect},
      {"infer", run_infer},
      {"sample", run_sample},
      {"table", run_table},
  };
  return table;
}

}  // namespace laq::apps
