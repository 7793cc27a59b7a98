#pragma once
// Parameter initialisation (docs/algorithms.md §3.1, §5.10): a weight of a quantized run is
// drawn from U(+-sqrt(1.5 / (fan_in + fan_out))) (BinaryConnect's H), a full-precision run
// from Glorot's U(+-sqrt(6 / (fan_in + fan_out))), twice as wide.
#include <vector>

#include "engine/rng.h"
#include "layers/parameter.h"

namespace laq::train {

enum class InitScheme { full_precision,
                        quantized };

float fan_uniform_bound(InitScheme scheme, int64_t fan_in, int64_t fan_out);
void initialize(const std::vector<layers::Parameter*>& params, InitScheme scheme, engine::Rng& rng);

}  // namespace laq::train
