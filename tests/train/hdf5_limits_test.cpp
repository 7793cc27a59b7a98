// Checkpoints and packed models whose structure lies (issue 7, "a reader never allocates
// more than the file can justify"): attributes with more values than the one read, datasets
// claiming 10^12 elements that the file never stores, element types of absurd size. Each
// file is written by laq's own writer for a tiny network, then edited with the HDF5 API;
// each must be refused with a laq::Error naming the file and the entry.
#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "engine/error.h"
#include "engine/rng.h"
#include "support/tiny_session.h"
#include "train/checkpoint.h"
#include "train/packed_model.h"

namespace laq {
namespace {

namespace fs = std::filesystem;

fs::path temp(const std::string& name) {
  return fs::temp_directory_path() / ("laq_hdf5_limits_" + std::to_string(::getpid()) + "_" + name);
}

void expect_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no laq::Error";
  } catch (const Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a laq::Error: " << e.what();
  }
}

fs::path write_checkpoint(const std::string& name, const std::string& method = "fpn") {
  const train::RunConfig c = test::tiny_config(method);
  train::Session s = test::tiny_session(c);
  const fs::path file = temp(name);
  train::Progress p;
  p.data_rng = engine::save_rng(engine::Rng(5));
  train::save_checkpoint(file, c, p, s.state());
  return file;
}

fs::path write_model(const std::string& name, const std::string& method = "lat-e") {
  const train::RunConfig c = test::tiny_config(method);
  train::Session s = test::tiny_session(c);
  const fs::path file = temp(name);
  train::export_packed_model(file, c, s);
  return file;
}

// Replaces attribute `name` of `object` with one of `n` values of `type`.
void replace_attr(const fs::path& file, const std::string& object, const std::string& name, const H5::DataType& type,
                  hsize_t n, const void* values) {
  H5::H5File f(file.string(), H5F_ACC_RDWR);
  ASSERT_GE(H5Adelete_by_name(f.getId(), object.c_str(), name.c_str(), H5P_DEFAULT), 0);
  const H5::DataSpace space(1, &n);
  const hid_t a = H5Acreate_by_name(f.getId(), object.c_str(), name.c_str(), type.getId(), space.getId(), H5P_DEFAULT,
                                    H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(a, 0);
  ASSERT_GE(H5Awrite(a, type.getId(), values), 0);
  H5Aclose(a);
}

// Replaces dataset `path` by one of `type` and `dims` whose storage is never written.
void replace_dataset(const fs::path& file, const std::string& path, const H5::DataType& type,
                     std::vector<hsize_t> dims) {
  H5::H5File f(file.string(), H5F_ACC_RDWR);
  ASSERT_GE(H5Ldelete(f.getId(), path.c_str(), H5P_DEFAULT), 0);
  const H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
  const hid_t d = H5Dcreate2(f.getId(), path.c_str(), type.getId(), space.getId(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(d, 0);
  H5Dclose(d);
}

TEST(Hdf5Limits, ScalarAttributeHoldingSeveralValuesIsRefused) {
  H5::Exception::dontPrint();
  const fs::path file = write_checkpoint("array_attr.h5");
  // Read into one int64, a 3-value attribute used to overrun the variable by 16 bytes.
  const int64_t three[3] = {2, 3, 4};
  replace_attr(file, "/progress", "epoch", H5::PredType::NATIVE_INT64, 3, three);
  train::Session s = test::tiny_session(test::tiny_config("fpn"));
  train::Progress p;
  expect_error([&] { train::load_checkpoint(file, p, s.state()); },
               {file.string(), "/progress@epoch", "holds 3 values", "single value"});
  fs::remove(file);
}

TEST(Hdf5Limits, StringAttributeHoldingSeveralStringsIsRefused) {
  H5::Exception::dontPrint();
  const fs::path file = write_checkpoint("array_string.h5");
  const char* two[2] = {"fpn", "lat-e"};
  replace_attr(file, "/config", "method", H5::StrType(H5::PredType::C_S1, H5T_VARIABLE), 2, two);
  expect_error([&] { train::read_checkpoint_config(file); }, {file.string(), "/config@method", "holds 2 values"});
  fs::remove(file);
}

TEST(Hdf5Limits, ProgressOutOfRangeOrUnreadableIsRefused) {
  H5::Exception::dontPrint();
  const fs::path file = write_checkpoint("progress.h5");
  train::Session s = test::tiny_session(test::tiny_config("fpn"));
  train::Progress p;
  train::load_checkpoint(file, p, s.state());  // the file as written loads
  const int64_t negative = -3;
  replace_attr(file, "/progress", "step_in_epoch", H5::PredType::NATIVE_INT64, 1, &negative);
  expect_error([&] { train::load_checkpoint(file, p, s.state()); }, {file.string(), "/progress@step_in_epoch", "-3"});
  fs::remove(file);
  const fs::path junk = write_checkpoint("rng.h5");
  const char* state[1] = {"1 2 3"};
  replace_attr(junk, "/progress", "data_rng", H5::StrType(H5::PredType::C_S1, H5T_VARIABLE), 1, state);
  expect_error([&] { train::load_checkpoint(junk, p, s.state()); }, {junk.string(), "/progress@data_rng"});
  fs::remove(junk);
}

TEST(Hdf5Limits, CheckpointDatasetClaimingTenToTheTwelveValuesIsRefused) {
  H5::Exception::dontPrint();
  const fs::path file = write_checkpoint("huge_latent.h5");
  replace_dataset(file, "/parameters/fc1.weight/latent", H5::PredType::IEEE_F32LE, {1000000, 1000000});
  train::Session s = test::tiny_session(test::tiny_config("fpn"));
  train::Progress p;
  expect_error([&] { train::load_checkpoint(file, p, s.state()); },
               {file.string(), "fc1.weight", "latent", "1000000000000 values", "needs 12"});
  fs::remove(file);
}

// Regression of fuzz_packed_model (raw mode): one mutated byte made a float dataset's element
// 4 GB wide, and HDF5 allocated its conversion buffer from that size.
TEST(Hdf5Limits, FloatDatasetWithAbsurdElementSizeIsRefused) {
  H5::Exception::dontPrint();
  const fs::path file = write_checkpoint("wide_float.h5");
  H5::FloatType wide(H5::PredType::IEEE_F32LE);
  wide.setSize(size_t{1} << 20);
  replace_dataset(file, "/parameters/fc1.bias/latent", wide, {4});
  train::Session s = test::tiny_session(test::tiny_config("fpn"));
  train::Progress p;
  expect_error([&] { train::load_checkpoint(file, p, s.state()); },
               {file.string(), "fc1.bias", "not a float32 or float64 dataset"});
  fs::remove(file);
}

TEST(Hdf5Limits, PackedCodesClaimingATerabyteNeverWrittenAreRefused) {
  H5::Exception::dontPrint();
  const fs::path file = write_model("huge_codes.h5");
  // 10^12 ternary codes: 2.5 * 10^11 bytes of codes, shape and count consistent.
  replace_dataset(file, "/quantized/fc1.weight/codes", H5::PredType::STD_U8LE, {250000000000});
  const int64_t count = 1000000000000, shape[2] = {1000000, 1000000};
  replace_attr(file, "/quantized/fc1.weight", "count", H5::PredType::NATIVE_INT64, 1, &count);
  replace_attr(file, "/quantized/fc1.weight", "shape", H5::PredType::NATIVE_INT64, 2, shape);
  expect_error([&] { train::read_packed_model_info(file); },
               {file.string(), "/quantized/fc1.weight/codes", "claims 250000000000", "stores only 0 bytes"});
  fs::remove(file);
}

TEST(Hdf5Limits, PackedShapeOfManyDimensionsOrNegativeIsRefused) {
  H5::Exception::dontPrint();
  const fs::path file = write_model("bad_shape.h5");
  const std::vector<int64_t> many(100, 1);
  replace_attr(file, "/quantized/fc1.weight", "shape", H5::PredType::NATIVE_INT64, many.size(), many.data());
  expect_error([&] { train::read_packed_model_info(file); },
               {file.string(), "/quantized/fc1.weight@shape", "holds 100 values", "at most 8"});
  const int64_t negative[2] = {-4, -3};
  replace_attr(file, "/quantized/fc1.weight", "shape", H5::PredType::NATIVE_INT64, 2, negative);
  expect_error([&] { train::read_packed_model_info(file); }, {file.string(), "@shape", "negative or too large"});
  fs::remove(file);
}

TEST(Hdf5Limits, RunBitsThatDoNotMatchTheCodeWidthAreRefused) {
  H5::Exception::dontPrint();
  const fs::path file = write_model("bad_bits.h5", "laq-log");
  const int64_t bits = 40;  // laq-log with 40 bits would build 2^40 levels
  replace_attr(file, "/", "bits", H5::PredType::NATIVE_INT64, 1, &bits);
  expect_error([&] { train::read_packed_model_info(file); }, {file.string(), "@method", "bits 40"});
  train::Session s = test::tiny_session(test::tiny_config("laq-log"));
  expect_error([&] { train::load_packed_model(file, s); }, {file.string(), "bits 40"});
  fs::remove(file);
}

}  // namespace
}  // namespace laq
