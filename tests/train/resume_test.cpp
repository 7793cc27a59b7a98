// Resume is exact: a run killed mid-epoch and resumed from its last checkpoint ends with the
// same bits as a run never interrupted. Both runs are the real `laq` binary (env LAQ_BIN) on
// a tiny MNIST-format data set; the final checkpoints are compared dataset by dataset with
// the HDF5 C++ API, and the final results lines field by field.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "apps/laq_cli.h"
#include "train/hdf5_util.h"

namespace laq::test {
namespace {

struct Dataset {
  std::vector<hsize_t> dims;
  std::vector<float> values;
};

struct CheckpointContents {
  std::map<std::string, Dataset> datasets;        // full path -> contents
  std::map<std::string, std::string> attributes;  // "/group@name" -> value as text
};

std::string attribute_text(const H5::Attribute& a) {
  const H5T_class_t cls = a.getTypeClass();
  if (cls == H5T_STRING) {
    std::string s;
    a.read(a.getStrType(), s);
    return "s:" + s;
  }
  if (cls == H5T_INTEGER) {
    int64_t v = 0;
    a.read(H5::PredType::NATIVE_INT64, &v);
    return "i:" + std::to_string(v);
  }
  if (cls == H5T_FLOAT) {
    double v = 0;
    a.read(H5::PredType::NATIVE_DOUBLE, &v);
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    return "f:" + std::to_string(bits);  // exact bits, not a rounded print
  }
  return "?class " + std::to_string(static_cast<int>(cls));
}

void read_group(const H5::Group& g, const std::string& path, CheckpointContents& c) {
  for (int i = 0; i < g.getNumAttrs(); ++i) {
    H5::Attribute a = g.openAttribute(static_cast<unsigned>(i));
    c.attributes[(path.empty() ? "/" : path) + "@" + a.getName()] = attribute_text(a);
  }
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) {
    const std::string name = g.getObjnameByIdx(i);
    const std::string full = path + "/" + name;
    const H5G_obj_t type = g.getObjTypeByIdx(i);
    if (type == H5G_GROUP) {
      read_group(g.openGroup(name), full, c);
    } else if (type == H5G_DATASET) {
      H5::DataSet ds = g.openDataSet(name);
      H5::DataSpace space = ds.getSpace();
      Dataset d;
      d.dims.resize(static_cast<size_t>(space.getSimpleExtentNdims()));
      space.getSimpleExtentDims(d.dims.data());
      d.values.resize(static_cast<size_t>(space.getSimpleExtentNpoints()));
      ASSERT_EQ(ds.getTypeClass(), H5T_FLOAT) << full;
      ds.read(d.values.data(), H5::PredType::NATIVE_FLOAT);
      c.datasets[full] = std::move(d);
    }
  }
}

CheckpointContents read_checkpoint(const fs::path& file) {
  CheckpointContents c;
  H5::Exception::dontPrint();
  try {
    H5::H5File f(file.string(), H5F_ACC_RDONLY);
    read_group(f.openGroup("/"), "", c);
  } catch (const H5::Exception& e) {
    ADD_FAILURE() << "cannot read " << file << ": " << e.getDetailMsg();
  }
  return c;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Index of the first differing float (bitwise), or -1.
int64_t first_difference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return static_cast<int64_t>(i);
  return -1;
}

std::vector<std::string> train_args(const fs::path& data, const fs::path& out) {
  return {"train", "--experiment", "mnist-mlp", "--method", "fpn", "--data", data.string(), "--out", out.string(),
          "--batch", "20", "--val-size", "100", "--epochs", "3", "--checkpoint-every", "4", "--threads", "1",
          "--quiet"};
}

TEST(Resume, KilledAndResumedRunIsBitIdenticalToUninterruptedRun) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const fs::path data = tmp / "data", a = tmp / "A", b = tmp / "B";
  write_tiny_mnist(data);  // 200 train + 100 val at batch 20: 10 steps per epoch, 30 in all

  RunResult r = run_laq(tmp.path(), train_args(data, a));
  ASSERT_EQ(r.code, 0) << "run A\n"
                       << r.describe();

  auto b_args = train_args(data, b);
  b_args.insert(b_args.end(), {"--stop-after-steps", "7"});
  r = run_laq(tmp.path(), b_args);
  ASSERT_EQ(r.code, 3) << "run B must stop as if killed after step 7\n"
                       << r.describe();
  ASSERT_TRUE(fs::exists(b / "checkpoint.h5")) << "run B saved no checkpoint at step 4";
  {
    const CheckpointContents mid = read_checkpoint(b / "checkpoint.h5");
    ASSERT_TRUE(mid.attributes.count("/progress@global_step")) << "no /progress global_step attribute";
    EXPECT_EQ(mid.attributes.at("/progress@global_step"), "i:4") << "B's last checkpoint should be step 4's";
  }

  r = run_laq(tmp.path(), {"train", "--resume", (b / "checkpoint.h5").string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << "resume of B\n"
                       << r.describe();

  const CheckpointContents ca = read_checkpoint(a / "checkpoint.h5");
  const CheckpointContents cb = read_checkpoint(b / "checkpoint.h5");

  // Every dataset of either file exists in the other with the same shape and the same bits.
  int latents = 0, buffers = 0, adam_m = 0, adam_v = 0;
  for (const auto& [name, da] : ca.datasets) {
    if (name.rfind("/parameters/", 0) == 0 && ends_with(name, "/latent")) ++latents;
    if (name.rfind("/buffers/", 0) == 0) ++buffers;
    if (name.rfind("/parameters/", 0) == 0 && ends_with(name, ".m")) ++adam_m;
    if (name.rfind("/parameters/", 0) == 0 && ends_with(name, ".v")) ++adam_v;
    auto it = cb.datasets.find(name);
    if (it == cb.datasets.end()) {
      ADD_FAILURE() << name << " is in A's checkpoint but not in B's";
      continue;
    }
    EXPECT_EQ(da.dims, it->second.dims) << name;
    const int64_t at = first_difference(da.values, it->second.values);
    EXPECT_EQ(at, -1) << name << " differs at element " << at << " (of " << da.values.size() << "): A "
                      << (at >= 0 && size_t(at) < da.values.size() ? da.values[at] : 0.0f) << ", B "
                      << (at >= 0 && size_t(at) < it->second.values.size() ? it->second.values[at] : 0.0f);
  }
  for (const auto& [name, db] : cb.datasets)
    EXPECT_TRUE(ca.datasets.count(name)) << name << " is in B's checkpoint but not in A's";
  // The model is 784-2048x3-10 with batch norm: 4 weights + 4 biases (or BN params) at least.
  EXPECT_GE(latents, 8) << "too few /parameters/*/latent datasets";
  EXPECT_TRUE(ca.datasets.count("/parameters/fc1.weight/latent")) << "no /parameters/fc1.weight/latent";
  EXPECT_GE(buffers, 2) << "no batch-norm running statistics under /buffers";
  EXPECT_EQ(adam_m, latents) << "every parameter should carry Adam's first moment (*.m)";
  EXPECT_EQ(adam_v, latents) << "every parameter should carry Adam's second moment (*.v)";

  // Counters and progress agree too (wall-clock time and the output folder excepted; the
  // stored last epoch line holds both).
  for (const auto& [key, va] : ca.attributes) {
    if (key == "/progress@elapsed_seconds" || key == "/config@out_dir" || key == "/progress@last_epoch_line") continue;
    auto it = cb.attributes.find(key);
    if (it == cb.attributes.end()) {
      ADD_FAILURE() << "attribute " << key << " is in A's checkpoint but not in B's";
      continue;
    }
    EXPECT_EQ(va, it->second) << "attribute " << key;
  }
  EXPECT_EQ(ca.attributes.count("/progress@global_step") ? ca.attributes.at("/progress@global_step") : "", "i:30");

  // The final results lines agree on the outcome.
  const std::string la = last_json_line(a / "results.jsonl"), lb = last_json_line(b / "results.jsonl");
  ASSERT_FALSE(la.empty());
  ASSERT_FALSE(lb.empty());
  for (const char* key : {"type", "best_epoch", "best_val_error", "test_error_at_best_val", "global_step", "epochs"}) {
    EXPECT_FALSE(json_field(la, key).empty()) << key << " missing in A's result line: " << la;
    EXPECT_EQ(json_field(la, key), json_field(lb, key)) << key << "\nA: " << la << "\nB: " << lb;
  }
  EXPECT_EQ(json_field(la, "type"), "\"result\"");
}

TEST(Resume, TruncatedCheckpointExitsOneNamingTheFile) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path out = tmp / "run";
  RunResult r = run_laq(tmp.path(), {"train", "--data", (tmp / "data").string(), "--out", out.string(), "--batch",
                                     "20", "--val-size", "100", "--epochs", "2", "--steps-per-epoch", "1",
                                     "--threads", "1", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();
  const fs::path full = out / "checkpoint.h5";
  ASSERT_TRUE(fs::exists(full));

  const fs::path cut = tmp / "truncated-checkpoint.h5";
  fs::copy_file(full, cut);
  fs::resize_file(cut, fs::file_size(full) / 2);
  r = run_laq(tmp.path(), {"train", "--resume", cut.string(), "--quiet"});
  EXPECT_EQ(r.code, 1) << r.describe();
  ASSERT_EQ(r.err_lines().size(), 1u) << r.describe();
  EXPECT_NE(r.err.find("truncated-checkpoint.h5"), std::string::npos) << r.describe();

  const fs::path tiny = tmp / "header-only.h5";  // only the first 1 KiB: not even the root group
  fs::copy_file(full, tiny);
  fs::resize_file(tiny, 1024);
  r = run_laq(tmp.path(), {"train", "--resume", tiny.string(), "--quiet"});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("header-only.h5"), std::string::npos) << r.describe();

  const fs::path junk = tmp / "not-hdf5.h5";
  write_raw(junk, std::vector<uint8_t>(4096, 0x5a));
  r = run_laq(tmp.path(), {"train", "--resume", junk.string(), "--quiet"});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("not-hdf5.h5"), std::string::npos) << r.describe();

  r = run_laq(tmp.path(), {"train", "--resume", (tmp / "missing.h5").string(), "--quiet"});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("missing.h5"), std::string::npos) << r.describe();
}

TEST(Resume, ConfigurationFlagsBesideResumeAreRejected) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const RunResult r = run_laq(tmp.path(), {"train", "--resume", (tmp / "x.h5").string(), "--epochs", "5"});
  EXPECT_EQ(r.code, 2) << r.describe();
  ASSERT_EQ(r.err_lines().size(), 1u) << r.describe();
  EXPECT_NE(r.err.find("--epochs"), std::string::npos) << r.describe();
}

// The out_dir stored in a checkpoint is data: a resumed run writes beside the checkpoint it
// resumes from, never into the folder the file names (issue 7, "output paths stay under --out").
TEST(Resume, WritesBesideTheCheckpointWhateverOutDirItStores) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path run = tmp / "run", elsewhere = tmp / "elsewhere";
  RunResult r = run_laq(tmp.path(), {"train", "--data", (tmp / "data").string(), "--out", run.string(), "--batch",
                                     "20", "--val-size", "100", "--epochs", "1", "--checkpoint-every", "2",
                                     "--stop-after-steps", "3", "--threads", "1", "--quiet"});
  ASSERT_EQ(r.code, 3) << r.describe();
  const fs::path moved = tmp / "moved";
  fs::create_directories(moved);
  fs::copy_file(run / "checkpoint.h5", moved / "checkpoint.h5");
  {
    H5::H5File f((moved / "checkpoint.h5").string(), H5F_ACC_RDWR);
    H5::Group cfg = f.openGroup("/config");
    cfg.removeAttr("out_dir");
    train::hdf5::write_attr(cfg, "out_dir", elsewhere.string());
  }
  r = run_laq(tmp.path(), {"train", "--resume", (moved / "checkpoint.h5").string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_FALSE(fs::exists(elsewhere)) << "the resumed run wrote into the checkpoint's stored out_dir";
  EXPECT_EQ(json_field(last_json_line(moved / "results.jsonl"), "type"), "\"result\"");
  EXPECT_FALSE(fs::exists(run / "results.jsonl") && !last_json_line(run / "results.jsonl").empty() &&
               json_field(last_json_line(run / "results.jsonl"), "type") == "\"result\"")
      << "the resumed run finished in the original folder instead of beside its checkpoint";
}

}  // namespace
}  // namespace laq::test
