// Packed models: exporting and reloading gives back exactly the quantized values, and
// broken files are refused with the file named.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/error.h"
#include "train/hdf5_util.h"
#include "train/packed_model.h"
#include "train/session.h"

namespace laq {
namespace {

namespace fs = std::filesystem;

train::RunConfig config_for(const std::string& method, bool per_channel = false) {
  train::RunConfig c;
  c.method = method;
  c.per_channel = per_channel;
  c.bits = 3;
  return c;
}

fs::path temp(const std::string& name) { return fs::temp_directory_path() / ("laq_packed_" + name); }

class PackedModelRoundTrip : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(PackedModelRoundTrip, ReloadsBitIdenticalValues) {
  const auto [method, per_channel] = GetParam();
  const train::RunConfig c = config_for(method, per_channel);
  train::Session a = train::make_session(c);
  // Move the batch-norm statistics off their defaults so that their round trip is tested too.
  for (const auto& b : a.model->buffers()) b.tensor->fill(0.25f);
  const fs::path file = temp(method + (per_channel ? "_pc" : "") + ".h5");
  train::export_packed_model(file, c, a);

  train::Session b = train::make_session(config_for(method, per_channel));
  for (layers::Parameter* p : b.model->parameters()) p->value.fill(-7.0f);
  train::load_packed_model(file, b);
  const auto pa = a.model->parameters(), pb = b.model->parameters();
  for (size_t k = 0; k < pa.size(); ++k)
    for (int64_t i = 0; i < pa[k]->value.numel(); i += 97)
      ASSERT_EQ(pa[k]->value[i], pb[k]->value[i]) << pa[k]->name << " element " << i;
  for (const auto& buf : b.model->buffers()) EXPECT_EQ((*buf.tensor)[0], 0.25f) << buf.name;

  const train::PackedModelInfo info = train::read_packed_model_info(file);
  ASSERT_EQ(info.quantized.size(), 4u);
  EXPECT_EQ(info.config.method, method);
  fs::remove(file);
}

INSTANTIATE_TEST_SUITE_P(Methods, PackedModelRoundTrip,
                         ::testing::Values(std::tuple{"lab", false}, std::tuple{"lat-e", false},
                                           std::tuple{"lat2-e", false}, std::tuple{"laq-linear", false},
                                           std::tuple{"laq-log", true}, std::tuple{"dorefa", false},
                                           std::tuple{"ttq", false}, std::tuple{"bwn", true}));

TEST(PackedModel, TernaryCompressionIsSixteenFoldOnTheWeights) {
  const train::RunConfig c = config_for("lat-e");
  train::Session s = train::make_session(c);
  const fs::path file = temp("ratio.h5");
  train::export_packed_model(file, c, s);
  const train::PackedModelInfo info = train::read_packed_model_info(file);
  for (const auto& t : info.quantized) {
    EXPECT_EQ(t.code_bits, 2);
    EXPECT_EQ(t.packed_bytes, (t.count * 2 + 7) / 8 + 8) << t.name;  // codes + one (+, -) scale pair
  }
  fs::remove(file);
}

// The char LSTM of docs/algorithms.md §3.6: its eight gate matrices are quantized one by one (each its
// own scale), the softmax layer and the biases stay float32.
TEST(PackedModel, TernaryLstmPacksEachGateMatrixSixteenFold) {
  train::RunConfig c = config_for("lat-e");
  c.experiment = "linux-lstm";
  c.vocab = 37;
  train::Session a = train::make_session(c);
  const fs::path file = temp("lstm.h5");
  train::export_packed_model(file, c, a);

  const train::PackedModelInfo info = train::read_packed_model_info(file);
  ASSERT_EQ(info.quantized.size(), 8u);
  for (const auto& t : info.quantized) {
    EXPECT_EQ(t.code_bits, 2) << t.name;
    EXPECT_EQ(t.packed_bytes, (t.count * 2 + 7) / 8 + 8) << t.name;
  }
  train::Session b = train::make_session(c);
  for (layers::Parameter* p : b.model->parameters()) p->value.fill(-7.0f);
  train::load_packed_model(file, b);
  const auto pa = a.model->parameters(), pb = b.model->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t k = 0; k < pa.size(); ++k)
    for (int64_t i = 0; i < pa[k]->value.numel(); i += 31)
      ASSERT_EQ(pa[k]->value[i], pb[k]->value[i]) << pa[k]->name << " element " << i;
  fs::remove(file);
}

TEST(PackedModel, FullPrecisionRunsHaveNothingToPack) {
  const train::RunConfig c = config_for("fpn");
  train::Session s = train::make_session(c);
  EXPECT_THROW(train::export_packed_model(temp("fpn.h5"), c, s), Error);
}

TEST(PackedModel, BrokenFilesNameTheFile) {
  const fs::path missing = temp("missing.h5");
  fs::remove(missing);
  try {
    train::read_packed_model_info(missing);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  const fs::path junk = temp("junk.h5");
  std::ofstream(junk) << "not hdf5 at all";
  try {
    train::read_packed_model_info(junk);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
  }
  // A valid export cut short.
  const train::RunConfig c = config_for("lab");
  train::Session s = train::make_session(c);
  const fs::path file = temp("cut.h5");
  train::export_packed_model(file, c, s);
  fs::resize_file(file, fs::file_size(file) / 2);
  EXPECT_THROW(train::read_packed_model_info(file), Error);
  fs::remove(junk);
  fs::remove(file);
}

// The runtimes choose their graph by the experiment's network: a name laq does not know is
// refused when the file is read, naming the file, not mistaken for some other network.
TEST(PackedModel, UnknownExperimentIsRefusedNamingTheFile) {
  const train::RunConfig c = config_for("lab");
  train::Session s = train::make_session(c);
  const fs::path file = temp("renamed.h5");
  train::export_packed_model(file, c, s);
  EXPECT_EQ(train::read_packed_model_config(file).experiment, "mnist-mlp");
  {
    H5::H5File f(file.string(), H5F_ACC_RDWR);
    H5::Group root = f.openGroup("/");
    root.removeAttr("experiment");
    train::hdf5::write_attr(root, "experiment", std::string("mnist-resnet"));
  }
  try {
    train::read_packed_model_config(file);
    FAIL() << "an unknown experiment was accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(file.string()), std::string::npos) << m;
    EXPECT_NE(m.find("mnist-resnet"), std::string::npos) << m;
  }
  fs::remove(file);
}

}  // namespace
}  // namespace laq
