#pragma once
// A set of images as the readers return them: uint8, planar N x C x H x W (row-major
// inside a plane), plus one int32 label per image. Float conversion and normalisation
// are the transforms' job (datasets/transforms.h).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace laq::datasets {

struct ImageSet {
  int64_t n = 0;
  int64_t channels = 0;
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<uint8_t> images;  // n * channels * rows * cols; image i starts at i * image_size()
  std::vector<int32_t> labels;  // n

  int64_t image_size() const { return channels * rows * cols; }
  const uint8_t* image(int64_t i) const { return images.data() + static_cast<std::size_t>(i * image_size()); }
};

}  // namespace laq::datasets
