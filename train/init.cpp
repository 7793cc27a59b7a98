#include "train/init.h"

#include <cmath>

#include "engine/error.h"

namespace laq::train {

float fan_uniform_bound(InitScheme scheme, int64_t fan_in, int64_t fan_out) {
  const double numerator = scheme == InitScheme::quantized ? 1.5 : 6.0;
  return static_cast<float>(std::sqrt(numerator / double(fan_in + fan_out)));
}

void initialize(const std::vector<layers::Parameter*>& params, InitScheme scheme, engine::Rng& rng) {
  for (layers::Parameter* p : params) {
    const layers::Init& init = p->init;
    auto uniform = [&](float bound) {
      for (float& v : p->latent.span()) v = static_cast<float>((2 * engine::uniform01(rng) - 1) * bound);
    };
    switch (init.kind) {
      case layers::InitKind::zeros: p->latent.fill(0.0f); break;
      case layers::InitKind::ones: p->latent.fill(1.0f); break;
      case layers::InitKind::constant: p->latent.fill(init.constant); break;
      case layers::InitKind::fan_uniform:
        if (init.fan_in <= 0 || init.fan_out <= 0) throw Error(p->name + ": fan-in/out not set");
        uniform(fan_uniform_bound(scheme, init.fan_in, init.fan_out));
        break;
      case layers::InitKind::uniform: uniform(init.constant); break;
      case layers::InitKind::normal:
        for (float& v : p->latent.span()) v = static_cast<float>(engine::standard_normal(rng) * init.constant);
        break;
    }
  }
}

}  // namespace laq::train
