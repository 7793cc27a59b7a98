// HDF5 checkpoint loader, as `laq train --resume` runs it: the configuration is read first,
// then the state is loaded into a tiny session of the same kind (full precision, or
// quantized with lat-e, whose checkpoints also hold the quantized state).
// Input: edits applied to a valid checkpoint (fuzz/hdf5_edits.h), or with
// LAQ_FUZZ_HDF5_RAW=1 the file's bytes.
#include <cstdint>

#include "fuzz_files.h"
#include "hdf5_bases.h"
#include "hdf5_edits.h"
#include "hdf5_quiet.h"

namespace {

laq::train::Session& session_for(bool quantized) {
  static laq::train::Session fpn = laq::test::tiny_session(laq::test::tiny_config("fpn"));
  static laq::train::Session lat = laq::test::tiny_session(laq::test::tiny_config("lat-e"));
  return quantized ? lat : fpn;
}

std::vector<std::filesystem::path>& bases() {
  static std::vector<std::filesystem::path> b;
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace laq;
  fuzz::silence_hdf5();
  const auto dir = fuzz::scratch().path() / "bases";
  std::filesystem::create_directories(dir);
  bases() = fuzz::write_checkpoint_bases(dir);
  bases().push_back(fuzz::write_packed_model_bases(dir).front());  // the wrong kind of file
  session_for(false);
  session_for(true);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace laq;
  const auto path = fuzz::scratch().path() / "checkpoint.h5";
  if (fuzz::hdf5_raw_mode()) {
    fuzz::scratch().write("checkpoint.h5", data, size);
  } else {
    if (size < 1) return 0;
    fuzz::EditReader edits(data + 1, size - 1);
    fuzz::apply_edits(bases()[data[0] % bases().size()], path, edits);
  }
  bool quantized = false;
  fuzz::expect_clean([&] { quantized = train::read_checkpoint_config(path).method != "fpn"; });
  fuzz::expect_clean([&] {
    train::Progress progress;
    train::load_checkpoint(path, progress, session_for(quantized).state());
  });
  return 0;
}
