#pragma once
// HDF5 reports a failure as a stack of messages ("H5Fcreate failed" over "unable to open
// file: ..., errno = 2, ...") and prints it to stderr unless told otherwise. laq routes that
// printing to a recorder instead: nothing is printed, and the innermost system error of the
// last failure is kept, so that the laq::Error a command prints says what a user can act on
// (a missing folder, a file in use, a full disk, a folder where a file was expected, a
// symlink loop) instead of the name of an HDF5 function.
#include <string>

namespace laq::train::hdf5 {

// Installs the recorder as HDF5's error handler (idempotent; replaces printing).
void route_errors();
// Forgets the recorded failure; the next failing HDF5 call records its own.
void clear_failure();
// The recorded failure in a user's terms ("the disk is full (No space left on device)"),
// or "" when no failure with a system error was recorded since clear_failure().
std::string failure_reason();
// The same wording for a system error laq's own calls got (errno).
std::string failure_reason_for_errno(int err);

}  // namespace laq::train::hdf5
