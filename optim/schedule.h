#pragma once
// Learning-rate schedules as pure functions of the epoch being trained (1-based), so a
// resumed run needs only its epoch number to continue the schedule. Changes take effect
// after an epoch's evaluation (docs/algorithms.md §6.14):
//   step:         lr0 * factor^(number of milestones m with m < epoch)   (MNIST: x0.1 after 15, 25)
//   every:        lr0 * factor^floor((epoch - 1) / period)              (CIFAR: x0.5 every 15)
//   exponential:  lr0 * factor^max(0, epoch - start)                    (LSTM: x0.98 from epoch 11)
#include <string>
#include <vector>

namespace laq::optim {

struct Schedule {
  enum class Kind { constant,
                    step,
                    every,
                    exponential };
  Kind kind = Kind::constant;
  float initial = 0.01f;
  float factor = 1.0f;
  std::vector<int> milestones;  // step
  int period = 0;               // every
  int start = 0;                // exponential

  float at(int epoch) const;
  std::string describe() const;
  // "step:15,25", "every:15", "exp:11" or "constant"; throws laq::Error otherwise (also for
  // step milestones that do not strictly increase: "step:25,15" or "step:15,15" is a typo).
  static Schedule parse(const std::string& text, float initial, float factor);
};

}  // namespace laq::optim
