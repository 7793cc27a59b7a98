// Packed-model loader: read_packed_model_info (what `laq inspect` runs) decodes every tensor
// it finds; load_packed_model decodes into a tiny session of the file's method (lat-e, or
// laq-log for laq-log files), as `laq inspect --evaluate` does.
// Input: edits applied to a valid packed model (fuzz/hdf5_edits.h), or with
// LAQ_FUZZ_HDF5_RAW=1 the file's bytes.
#include <cstdint>

#include "fuzz_files.h"
#include "hdf5_bases.h"
#include "hdf5_edits.h"
#include "hdf5_quiet.h"

namespace {

laq::train::Session& session_for(const std::string& method) {
  static laq::train::Session lat = laq::test::tiny_session(laq::test::tiny_config("lat-e"));
  static laq::train::Session log = laq::test::tiny_session(laq::test::tiny_config("laq-log", 3, true));
  return method == "laq-log" ? log : lat;
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
  bases() = fuzz::write_packed_model_bases(dir);
  bases().push_back(fuzz::write_checkpoint_bases(dir).back());  // the wrong kind of file
  session_for("lat-e");
  session_for("laq-log");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace laq;
  const auto path = fuzz::scratch().path() / "model.h5";
  if (fuzz::hdf5_raw_mode()) {
    fuzz::scratch().write("model.h5", data, size);
  } else {
    if (size < 1) return 0;
    fuzz::EditReader edits(data + 1, size - 1);
    fuzz::apply_edits(bases()[data[0] % bases().size()], path, edits);
  }
  std::string method = "lat-e";
  fuzz::expect_clean([&] {
    const train::PackedModelInfo info = train::read_packed_model_info(path);
    method = info.config.method;
    for (const auto& t : info.quantized) {
      fuzz::require(t.count >= 0 && t.rows >= 1, "packed tensor with negative count or no rows");
      fuzz::require(t.scales.size() == static_cast<size_t>(t.rows), "packed tensor scales != rows");
    }
  });
  fuzz::expect_clean([&] { train::load_packed_model(path, session_for(method)); });
  return 0;
}
