// IDX reader (raw and gzip). Input byte 0 picks how the rest reaches the file: odd = gzip it
// first (the fuzzer then mutates the inflated IDX bytes, and read_idx runs its gzip path),
// even = write it verbatim (a raw IDX file, or a damaged gzip stream from the seeds).
#include <cstdint>

#include "datasets/idx.h"
#include "fuzz_files.h"
#include "support/dataset_bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace laq;
  if (size < 1) return 0;
  const bool gzip = data[0] & 1;
  std::vector<uint8_t> body(data + 1, data + size);
  if (gzip) body = test::gzip_compress(body);
  const auto path = fuzz::scratch().write("input.idx", body.data(), body.size());
  fuzz::expect_clean([&] {
    const datasets::IdxArray a = datasets::read_idx(path);
    fuzz::require(!a.dims.empty(), "read_idx returned no dimensions");
    fuzz::require(a.bytes.size() == static_cast<size_t>(a.count()) * datasets::idx_element_size(a.type),
                  "read_idx payload size != prod(dims) * element size");
  });
  return 0;
}
