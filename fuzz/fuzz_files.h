#pragma once
// Helpers shared by the fuzz targets. The readers take paths, so an input is written to a
// file in a folder private to this process, in /dev/shm when there is one (RAM: a million
// executions should not touch a disk). A reader may reject an input only with laq::Error;
// anything else (another exception, a crash, a sanitizer report, a leak) is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/error.h"

namespace laq::fuzz {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir() {
    const fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    dir_ = base / ("laq-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const fs::path& path() const { return dir_; }
  fs::path write(const std::string& name, const uint8_t* data, size_t size) const {
    const fs::path p = dir_ / name;
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!f) {
      std::fprintf(stderr, "fuzz: cannot write %s\n", p.c_str());
      std::abort();
    }
    return p;
  }

 private:
  fs::path dir_;
};

inline const ScratchDir& scratch() {
  static const ScratchDir dir;
  return dir;
}

// Runs a reader; a clean laq::Error is an accepted outcome.
template <typename F>
void expect_clean(F&& f) {
  try {
    f();
  } catch (const laq::Error&) {
  }
}

// An invariant the reader promised does not hold: a finding, like a crash.
inline void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz: reader contract violated: %s\n", what);
    std::abort();
  }
}

}  // namespace laq::fuzz
