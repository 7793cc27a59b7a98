#pragma once
// The HDF5 library prints its error stack on every failed call unless told not to; with
// millions of malformed files that noise hides the findings. The targets fuzz laq's
// structure checks on top of HDF5: HDF5 refusing a file is an accepted outcome.
#include <H5Cpp.h>

namespace laq::fuzz {

inline void silence_hdf5() {
  H5::Exception::dontPrint();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

}  // namespace laq::fuzz
