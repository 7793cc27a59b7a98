#pragma once
// The presets each train/experiments/*.cpp defines, for registry.cpp's list.
#include "train/experiments/preset.h"

namespace laq::train::presets {

ExperimentPreset mnist_mlp();
ExperimentPreset cifar10_vgg();
ExperimentPreset cifar100_vgg();
ExperimentPreset svhn_vgg();
ExperimentPreset warpeace_lstm();
ExperimentPreset linux_lstm();
ExperimentPreset ptb_lstm();

}  // namespace laq::train::presets
