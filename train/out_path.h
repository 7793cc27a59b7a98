#pragma once
// Output files whose names come from data (an experiment name read from a results.jsonl,
// ...) must stay inside the output folder they are written to.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace laq::train {

// dir / name, where name must be one plain file name: not empty, not "." or "..", no '/'
// and no NUL. Anything else is a laq::Error naming `what` (where the name came from) and
// the folder, so a crafted name can never write outside `dir`.
std::filesystem::path path_under(const std::filesystem::path& dir, const std::string& name, const std::string& what);

// The rule of every command that writes a file named by a flag: it never replaces what
// another command needs. `out` is refused (laq::Error naming `flag`) when it
//  - is a folder, a symlink loop, or in a folder that does not exist;
//  - is one of the command's own inputs (the same file under any name);
//  - is named like a training run's own file (results.jsonl, checkpoint.h5, best.h5, the lock);
//  - exists and `is_own_output` says it is not a previous output of this command (a file of
//    the command's own format, which it may replace).
void check_output_file(const std::filesystem::path& out, const std::string& flag,
                       const std::vector<std::filesystem::path>& inputs,
                       const std::function<bool(const std::filesystem::path&)>& is_own_output,
                       const std::string& own_kind);

}  // namespace laq::train
