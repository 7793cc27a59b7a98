// CIFAR-10 / CIFAR-100 binary readers. Input byte 0 picks the format (bit 0: 100, bit 1:
// coarse labels); the rest is the test file (CIFAR-10 test_batch.bin or CIFAR-100 test.bin).
#include <cstdint>

#include "datasets/cifar.h"
#include "fuzz_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace laq;
  if (size < 1) return 0;
  const bool hundred = data[0] & 1;
  const bool coarse = data[0] & 2;
  const auto& dir = fuzz::scratch();
  dir.write(hundred ? "test.bin" : "test_batch.bin", data + 1, size - 1);
  fuzz::expect_clean([&] {
    const datasets::ImageSet s =
        hundred ? datasets::load_cifar100(dir.path(), "test",
                                          coarse ? datasets::Cifar100Label::coarse : datasets::Cifar100Label::fine)
                : datasets::load_cifar10(dir.path(), "test");
    fuzz::require(s.n >= 1, "CIFAR reader returned no images");
    fuzz::require(s.images.size() == static_cast<size_t>(s.n * s.image_size()), "CIFAR images != n x 3072");
    fuzz::require(s.labels.size() == static_cast<size_t>(s.n), "CIFAR labels != n");
    const int32_t classes = !hundred ? 10 : coarse ? 20
                                                   : 100;
    for (int32_t l : s.labels) fuzz::require(l >= 0 && l < classes, "CIFAR label out of range");
  });
  return 0;
}
