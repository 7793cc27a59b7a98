#pragma once
// `laq bench --packed`: see apps/cmd_bench_packed.cpp.
#include <cstdint>
#include <string>

namespace laq::apps {

int bench_packed(const std::string& file, int64_t batch, int64_t threads, int64_t steps, int64_t warmup);

}  // namespace laq::apps
