// Linked into every test binary: sets LAQ_POISON_UNINITIALIZED before main, so that
// engine::Tensor::uninitialized fills its storage with NaN in every test (and in the laq
// processes the CLI tests start, which inherit the environment). An op that leaves part of
// such an output unwritten then fails its tests instead of passing on leftover zeros.
// (Set here rather than through CTest's ENVIRONMENT: gtest_discover_tests splits a
// two-variable ENVIRONMENT list into property names.)
#include <cstdlib>

namespace {
const bool poisoned = [] { return setenv("LAQ_POISON_UNINITIALIZED", "1", 0) == 0; }();
}  // namespace
