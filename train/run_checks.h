#pragma once
// What a run's configuration must satisfy, checked before any data is read; a value out of
// range throws OptionError (train/option_error.h) naming the flag (docs/flags.md lists every rule).
#include <cstdint>
#include <string>

#include "train/option_error.h"
#include "train/run_config.h"

namespace laq::train {

// Throws OptionError for the first value out of range: an unknown experiment, method,
// optimizer or batch-norm form; bits outside the method's range (quant/method.h); epochs < 1;
// a batch < 1 (< 2 where the net has batch norm: one example normalises to zero); a learning
// rate or decay that is not finite and positive; a schedule that does not parse or whose step
// milestones do not increase; threads outside 1..engine::kMaxThreads; negative counts;
// a validation size < 1 where the experiment cuts one from its training file, or any
// validation size where it has its own split; per-channel scales for the LSTM.
// Not checked here: SGD's momentum (its own check), and everything that needs the data
// (train/trainer.h: the batch and sizes against the training set).
void check_run_config(const RunConfig& config);

// Whether the experiment cuts its validation set from the end of its training file (the
// preset has a val_size), so that --val-size applies to it.
bool experiment_takes_val_size(const std::string& experiment);
// Whether the experiment's network has batch norm (every one but the LSTMs).
bool experiment_has_batch_norm(const std::string& experiment);

}  // namespace laq::train
