// MAT-file Level 5 reader (plain and miCOMPRESSED variables) and the SVHN loader on top.
// The input is the file itself.
#include <cstdint>

#include "datasets/mat5.h"
#include "datasets/svhn.h"
#include "fuzz_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace laq;
  const auto path = fuzz::scratch().write("input.mat", data, size);
  fuzz::expect_clean([&] {
    for (const datasets::MatVariable& v : datasets::read_mat5(path, {"X", "y", "z"})) {
      fuzz::require(v.data.size() == static_cast<size_t>(v.count()) * datasets::mat_type_size(v.storage),
                    "read_mat5 data size != prod(dims) * element size");
      double sum = 0;
      for (int64_t i = 0; i < v.count(); ++i) sum += v.value(i);
      (void)sum;
    }
  });
  fuzz::expect_clean([&] {
    const datasets::ImageSet s = datasets::load_svhn(path);
    fuzz::require(s.images.size() == static_cast<size_t>(s.n * s.image_size()), "SVHN images != n x 3072");
    fuzz::require(s.labels.size() == static_cast<size_t>(s.n), "SVHN labels != n");
    for (int32_t l : s.labels) fuzz::require(l >= 0 && l < 10, "SVHN label out of range");
  });
  return 0;
}
