#pragma once
// What a checkpoint must hold of the optimizer side: named float buffers and counters,
// exposed as views so that saving and restoring need no knowledge of the stage.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace laq::optim {

struct ParameterGroup;

struct StateBuffer {
  std::string name;
  std::span<float> data;
  // Set when the buffer runs parallel to a parameter group (Adam's m and v): checkpoints
  // then store it per parameter, beside the parameter's values.
  const ParameterGroup* group = nullptr;
};

struct StateCounter {
  std::string name;
  int64_t* value;
};

struct StateView {
  std::vector<StateBuffer> buffers;
  std::vector<StateCounter> counters;

  void append(const StateView& other) {
    buffers.insert(buffers.end(), other.buffers.begin(), other.buffers.end());
    counters.insert(counters.end(), other.counters.begin(), other.counters.end());
  }
};

}  // namespace laq::optim
