#pragma once
// quant/ keeps no threads of its own (quant/runner.h). A program that quantizes large tensors
// calls this once, before any work: the exact ternary solvers' histogram passes and the writing
// of a ternary code then run as tasks on engine/'s process pool, the one --threads sizes.
// Without it they run on the calling thread, with the same bits.
namespace laq::optim {

void lend_engine_threads_to_quant();

}  // namespace laq::optim
