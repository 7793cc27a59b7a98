// laq table --report: gathers results.jsonl files into the paper's tables (Markdown, CSV)
// and plots them with gnuplot.
#include "apps/commands.h"

namespace laq::apps {

int run_table(int, char**) { throw UsageError("not implemented yet"); }

}  // namespace laq::apps
