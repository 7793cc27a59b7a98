#include "train/hdf5_errors.h"

#include <H5Cpp.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace laq::train::hdf5 {
namespace {

struct Failure {
  bool recorded = false;
  int err = 0;        // errno of the innermost message that carries one
  bool lock = false;  // the failure was taking HDF5's file lock
};
thread_local Failure last;

herr_t walk(unsigned, const H5E_error2_t* e, void* data) {
  Failure& f = *static_cast<Failure*>(data);
  if (e->min_num == H5E_CANTLOCKFILE) f.lock = true;
  if (f.err == 0 && e->desc) {
    if (const char* at = std::strstr(e->desc, "errno = ")) f.err = std::atoi(at + 8);
  }
  return 0;
}

// Called by HDF5 at the API boundary of every failing call, with the whole stack.
herr_t record(hid_t stack, void*) {
  if (last.recorded) return 0;  // keep the first failure: cleanup calls may fail after it
  Failure f;
  H5Ewalk2(stack, H5E_WALK_UPWARD, walk, &f);
  f.recorded = f.err != 0 || f.lock;
  if (f.recorded) last = f;
  return 0;
}

}  // namespace

void route_errors() {
  H5::Exception::dontPrint();  // the C++ layer's own printing
  H5Eset_auto2(H5E_DEFAULT, record, nullptr);
}

void clear_failure() { last = Failure{}; }

namespace {

std::string reason(int e, bool lock) {
  const std::string sys = e ? std::string(" (") + std::strerror(e) + ")" : "";
  if (lock || e == EAGAIN || e == EWOULDBLOCK)
    return "the file is in use by another process (HDF5 file lock)" + sys +
           "; wait for it, or if no process holds it, set HDF5_USE_FILE_LOCKING=FALSE";
  switch (e) {
    case ENOENT: return "no such file or folder (does its folder exist?)" + sys;
    case ENOTDIR: return "a part of the path is not a folder" + sys;
    case EISDIR: return "it is a folder, expected a file" + sys;
    case ELOOP: return "a symlink loop" + sys;
    case ENOSPC: return "the disk is full" + sys;
    case EDQUOT: return "the disk quota is exhausted" + sys;
    case EFBIG: return "the file-size limit was reached (disk full, or ulimit -f)" + sys;
    case EACCES:
    case EPERM: return "permission denied" + sys;
    case EROFS: return "the file system is read-only" + sys;
    default: return std::strerror(e);
  }
}

}  // namespace

std::string failure_reason() { return last.recorded ? reason(last.err, last.lock) : ""; }
std::string failure_reason_for_errno(int err) { return reason(err, false); }

}  // namespace laq::train::hdf5
