#pragma once
// A char-LSTM model in float32 stepped one character at a time, carrying h and c between
// steps: what `laq sample` runs from a checkpoint (a full-precision run has no packed model),
// and the float column of `laq bench --packed`. The packed twin is train/packed_lstm.h.
#include <cstdint>
#include <vector>

#include "engine/tensor.h"
#include "layers/lstm.h"
#include "layers/module.h"

namespace laq::train {

class FloatCharLstm {
 public:
  // `model` is a session's model of a char-LSTM preset (throws laq::Error otherwise); it is
  // borrowed, not owned, and must outlive this object.
  explicit FloatCharLstm(layers::Module& model);

  int64_t vocab() const { return model_->lstm.vocab(); }
  int64_t hidden() const { return model_->lstm.hidden(); }

  // Reads one token, updates h and c (zeros at the start) and writes the next character's
  // logits [V].
  void step(int32_t token, std::vector<float>& logits);

 private:
  layers::CharLstmModel* model_;
  engine::Tensor h_, c_;  // [1, H]
};

}  // namespace laq::train
