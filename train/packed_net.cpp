#include "train/packed_net.h"

#include <cmath>

#include "engine/autograd.h"
#include "engine/error.h"
#include "engine/im2col.h"
#include "engine/max_pool.h"
#include "engine/packed_matmul.h"
#include "engine/parallel.h"
#include "quant/packing.h"
#include "train/experiment.h"

namespace laq::train {
namespace fs = std::filesystem;

engine::PackedWeights repack(const PackedTensorCodes& t, bool transpose) {
  const PackedTensorInfo& info = t.info;
  if (info.shape.empty()) throw Error("packed tensor " + info.name + " has no shape");
  const int64_t lead = info.shape[0], rest = info.count / (lead ? lead : 1);
  const int64_t rows = transpose ? rest : lead, cols = transpose ? lead : rest;
  if (info.rows != 1 && (transpose || info.rows != rows))
    throw Error("packed tensor " + info.name + ": " + std::to_string(info.rows) +
                " scale rows do not match its " + std::to_string(rows) + " output channels");
  const auto code = [&](int64_t r, int64_t c) { return t.code(transpose ? c * rest + r : r * cols + c); };
  std::vector<float> pos, neg;
  for (const quant::Scales& s : info.scales) pos.push_back(s.positive), neg.push_back(s.negative);
  switch (quant::traits(t.method).codes) {
    case quant::CodeKind::binary: return engine::pack_binary(rows, cols, code, pos, neg);
    case quant::CodeKind::ternary: return engine::pack_ternary(rows, cols, code, pos, neg);
    case quant::CodeKind::level_table: {
      // The tables hold exactly the floats decode() would give (quant::level_values).
      std::vector<float> table;
      int64_t length = 0;
      for (const quant::Scales& s : info.scales) {
        const std::vector<float> levels = quant::level_values(t.method, t.run_bits, s);
        length = static_cast<int64_t>(levels.size());
        table.insert(table.end(), levels.begin(), levels.end());
      }
      return engine::pack_levels(rows, cols, static_cast<int>(info.code_bits), code, length, table);
    }
    case quant::CodeKind::none: break;
  }
  throw Error("packed tensor " + info.name + ": method " + info.method + " has no codes");
}

namespace {

struct Loader {
  const fs::path& path;
  PackedModelContents& contents;

  const PackedTensorCodes& codes(const std::string& name) {
    const auto it = contents.quantized.find(name);
    if (it == contents.quantized.end()) throw Error(path.string() + ": missing /quantized/" + name);
    return it->second;
  }
  engine::Tensor floats(const std::string& group, const std::string& name, int64_t size) {
    auto& from = group == "float" ? contents.floats : contents.buffers;
    const auto it = from.find(name);
    if (it == from.end()) throw Error(path.string() + ": missing /" + group + "/" + name);
    if (it->second.numel() != size)
      throw Error(path.string() + ":/" + group + "/" + name + " holds " + std::to_string(it->second.numel()) +
                  " values, the layer needs " + std::to_string(size));
    return it->second;
  }
  bool has_float(const std::string& name) const { return contents.floats.count(name) > 0; }
};

PackedLayer weighted(Loader& l, PackedOp op, const std::string& name, int64_t in_features) {
  PackedLayer layer;
  layer.op = op;
  layer.name = name;
  const PackedTensorCodes& t = l.codes(name + ".weight");
  layer.weight = repack(t);
  layer.out = layer.weight.rows;
  layer.in = op == PackedOp::conv ? (t.info.shape.size() == 4 ? t.info.shape[1] : -1) : layer.weight.cols;
  if (op == PackedOp::conv && (t.info.shape.size() != 4 || t.info.shape[2] != 3 || t.info.shape[3] != 3))
    throw Error(l.path.string() + ": " + name + ".weight is " + engine::to_string(t.info.shape) +
                ", expected a [Cout, Cin, 3, 3] kernel");
  if (in_features >= 0 && layer.in != in_features)
    throw Error(l.path.string() + ": " + name + ".weight takes " + std::to_string(layer.in) + " inputs, the layer below gives " +
                std::to_string(in_features));
  if (l.has_float(name + ".bias")) layer.bias = l.floats("float", name + ".bias", layer.out);
  return layer;
}

PackedLayer batch_norm(Loader& l, const std::string& name, int64_t channels, const engine::BatchNormConfig& bn) {
  PackedLayer layer;
  layer.op = PackedOp::batch_norm;
  layer.name = name;
  layer.gamma = l.floats("float", name + ".gamma", channels);
  layer.beta = l.floats("float", name + ".beta", channels);
  layer.mean = l.floats("buffers", name + ".running_mean", channels);
  layer.spread = l.floats("buffers", name + ".running_spread", channels);
  layer.bn = bn;
  layer.in = layer.out = channels;
  return layer;
}

PackedLayer plain(PackedOp op, const std::string& name) {
  PackedLayer layer;
  layer.op = op;
  layer.name = name;
  return layer;
}

// train/experiments/mnist_mlp.cpp's mnist_mlp: [fc -> bn -> relu] x depth -> fc -> bn.
std::vector<PackedLayer> mlp_layers(Loader& l) {
  const auto bn = batch_norm_config(l.contents.config.batch_norm);
  std::vector<PackedLayer> layers;
  int64_t depth = 0;
  while (l.contents.quantized.count("fc" + std::to_string(depth + 1) + ".weight")) ++depth;
  if (depth < 1) throw Error(l.path.string() + ": no fc1.weight among the quantized tensors");
  int64_t in = 784;
  for (int64_t i = 1; i <= depth; ++i) {
    const std::string n = std::to_string(i);
    layers.push_back(weighted(l, PackedOp::dense, "fc" + n, in));
    in = layers.back().out;
    layers.push_back(batch_norm(l, "bn" + n, in, bn));
    if (i < depth) layers.push_back(plain(PackedOp::relu, "relu" + n));
  }
  return layers;
}

// train/experiments/cifar_vgg.cpp's vgg: (2 x conv) - pool - (2 x conv) - pool - (2 x conv) - pool,
// each conv followed by (pool,) bn, relu; flatten; fc7, fc8 with bn, relu; fc9 (+ bn9).
std::vector<PackedLayer> vgg_layers(Loader& l) {
  const auto bn = batch_norm_config(l.contents.config.batch_norm);
  std::vector<PackedLayer> layers;
  int64_t in = 3;
  for (int i = 1; i <= 6; ++i) {
    const std::string n = std::to_string(i);
    layers.push_back(weighted(l, PackedOp::conv, "conv" + n, in));
    in = layers.back().out;
    if (i % 2 == 0) layers.push_back(plain(PackedOp::max_pool, "pool" + n));
    layers.push_back(batch_norm(l, "bn" + n, in, bn));
    layers.push_back(plain(PackedOp::relu, "relu" + n));
  }
  layers.push_back(plain(PackedOp::flatten, "flatten"));
  in = in * 4 * 4;
  for (const char* n : {"7", "8", "9"}) {
    layers.push_back(weighted(l, PackedOp::dense, std::string("fc") + n, in));
    in = layers.back().out;
    if (std::string(n) != "9" || l.has_float("bn9.gamma")) layers.push_back(batch_norm(l, std::string("bn") + n, in, bn));
    if (std::string(n) != "9") layers.push_back(plain(PackedOp::relu, std::string("relu") + n));
  }
  return layers;
}

void add_bias(float* y, int64_t n, int64_t features, const engine::Tensor& bias) {
  if (bias.empty()) return;
  const float* b = bias.data();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t f = 0; f < features; ++f) y[i * features + f] += b[f];
}

// Evaluation-mode batch norm, the same float operations as engine/batch_norm.cpp.
void apply_batch_norm(const PackedLayer& l, engine::Tensor& x) {
  const int64_t n = x.dim(0), c = x.dim(1), s = x.numel() / (n * c);
  if (c != l.in) throw Error("packed net: " + l.name + " expects " + std::to_string(l.in) + " channels");
  const bool bc_form = l.bn.form == engine::BatchNormForm::binary_connect;
  std::vector<float> inv(c);
  for (int64_t ch = 0; ch < c; ++ch)
    inv[ch] = bc_form ? 1.0f / (l.spread[ch] + l.bn.eps) : 1.0f / std::sqrt(l.spread[ch] + l.bn.eps);
  float* p = x.data();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      const float mu = l.mean[ch], v = inv[ch], g = l.gamma[ch], b = l.beta[ch];
      float* row = p + (i * c + ch) * s;
      for (int64_t k = 0; k < s; ++k) {
        const float xhat = (row[k] - mu) * v;
        row[k] = xhat * g + b;
      }
    }
}

engine::Tensor dense(const PackedLayer& l, const engine::Tensor& x) {
  const int64_t n = x.dim(0);
  if (x.numel() != n * l.in)
    throw Error("packed net: " + l.name + " expects [N, " + std::to_string(l.in) + "], got " + engine::to_string(x.shape()));
  engine::Tensor y({n, l.out});
  engine::packed_matmul(l.weight, x.data(), n, l.in, y.data(), l.out);
  add_bias(y.data(), n, l.out, l.bias);
  return y;
}

// Per image: patches as rows (the transpose of im2col's [K, P]), the packed product gives
// [P, Cout], stored transposed as the image's [Cout, H, W] output.
engine::Tensor conv(const PackedLayer& l, const engine::Tensor& x) {
  if (x.rank() != 4 || x.dim(1) != l.in)
    throw Error("packed net: " + l.name + " expects [N, " + std::to_string(l.in) + ", H, W], got " +
                engine::to_string(x.shape()));
  const int64_t n = x.dim(0);
  const engine::ConvGeometry g = engine::conv_geometry(l.in, x.dim(2), x.dim(3), 3, 3, 1, 1, l.name.c_str());
  const int64_t k = g.rows(), p = g.cols();
  engine::Tensor y({n, l.out, g.ho, g.wo});
  std::vector<float> col(k * p), patches(p * k), out(p * l.out);
  for (int64_t i = 0; i < n; ++i) {
    engine::im2col(x.data() + i * l.in * x.dim(2) * x.dim(3), g, col.data(), p);
    for (int64_t r = 0; r < k; ++r)
      for (int64_t q = 0; q < p; ++q) patches[q * k + r] = col[r * p + q];
    engine::packed_matmul(l.weight, patches.data(), p, k, out.data(), l.out);
    float* yi = y.data() + i * l.out * p;
    for (int64_t o = 0; o < l.out; ++o) {
      const float b = l.bias.empty() ? 0.0f : l.bias[o];
      for (int64_t q = 0; q < p; ++q) yi[o * p + q] = out[q * l.out + o] + b;
    }
  }
  return y;
}

}  // namespace

PackedNet PackedNet::load(const fs::path& path) {
  PackedModelContents contents = read_packed_model(path);
  Loader l{path, contents};
  PackedNet net;
  net.config_ = contents.config;
  switch (experiment_network(contents.config.experiment)) {
    case Network::mlp: net.layers_ = mlp_layers(l); break;
    case Network::vgg: net.layers_ = vgg_layers(l); break;
    case Network::char_lstm:
      throw Error(path.string() + ": experiment " + contents.config.experiment +
                  " is not an MLP or VGG (the char LSTM runs through laq sample)");
  }
  for (const auto& [name, t] : contents.quantized) net.float_bytes_ += t.info.float_bytes;
  for (const auto* group : {&contents.floats, &contents.buffers})
    for (const auto& [name, t] : *group) net.float_bytes_ += t.numel() * int64_t(sizeof(float));
  return net;
}

engine::Tensor PackedNet::forward(const engine::Tensor& input) const {
  engine::Tensor x = input.copy();
  for (const PackedLayer& l : layers_) {
    switch (l.op) {
      case PackedOp::dense:
        x = dense(l, x.rank() == 2 ? x : x.reshape({x.dim(0), x.numel() / (x.dim(0) ? x.dim(0) : 1)}));
        break;
      case PackedOp::conv: x = conv(l, x); break;
      case PackedOp::batch_norm: apply_batch_norm(l, x); break;
      case PackedOp::relu:
        for (float& v : x.span()) v = v > 0.0f ? v : 0.0f;
        break;
      case PackedOp::max_pool: x = engine::max_pool2d(engine::constant(x), 2, 2)->value; break;
      case PackedOp::flatten: x = x.reshape({x.dim(0), x.numel() / (x.dim(0) ? x.dim(0) : 1)}); break;
    }
  }
  return x;
}

int64_t PackedNet::resident_weight_bytes() const {
  int64_t b = 0;
  for (const PackedLayer& l : layers_) {
    b += l.weight.resident_bytes();
    for (const engine::Tensor* t : {&l.bias, &l.gamma, &l.beta, &l.mean, &l.spread}) b += t->numel() * int64_t(sizeof(float));
  }
  return b;
}

int64_t PackedNet::float_weight_bytes() const { return float_bytes_; }

}  // namespace laq::train
