#pragma once
// The random-number policy: one explicit generator per purpose (initialisation, data
// order), passed by reference, never global. Its full state round-trips through a
// string so a checkpoint can resume the exact same stream.
#include <cstdint>
#include <random>
#include <string>

namespace laq::engine {

using Rng = std::mt19937_64;

std::string save_rng(const Rng& rng);
Rng load_rng(const std::string& state);  // throws laq::Error on a malformed state

// Uniform double in [0, 1) from exactly one draw (53 random bits); unlike the standard
// distributions its output is fixed by this code, not by the standard library.
double uniform01(Rng& rng);
// Uniform integer in [0, bound) by rejection, exact and library-independent.
uint64_t uniform_below(Rng& rng, uint64_t bound);
// Standard normal by Box-Muller (two draws per call, no cached state).
double standard_normal(Rng& rng);

}  // namespace laq::engine
