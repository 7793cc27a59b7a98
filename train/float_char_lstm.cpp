#include "train/float_char_lstm.h"

#include <algorithm>
#include <string>

#include "engine/autograd.h"
#include "engine/error.h"

namespace laq::train {

FloatCharLstm::FloatCharLstm(layers::Module& model) : model_(dynamic_cast<layers::CharLstmModel*>(&model)) {
  if (!model_) throw Error("FloatCharLstm: the model is not a char LSTM");
  h_ = engine::Tensor({1, hidden()});
  c_ = engine::Tensor({1, hidden()});
}

void FloatCharLstm::step(int32_t token, std::vector<float>& logits) {
  if (token < 0 || token >= vocab())
    throw Error("FloatCharLstm: token " + std::to_string(token) + " is outside the vocabulary of " +
                std::to_string(vocab()));
  engine::Tensor c_next({1, hidden()});
  const std::vector<int32_t> one{token};
  const engine::Var h = model_->lstm.forward_tokens(one, 1, 1, {engine::constant(h_), engine::constant(c_)}, &c_next);
  h_ = h->value.reshape({1, hidden()}).copy();
  c_ = c_next;
  const engine::Var out = model_->out.forward(engine::constant(h_), false);
  logits.assign(out->value.span().begin(), out->value.span().end());
}

}  // namespace laq::train
