#pragma once
// Output files whose names come from data (an experiment name read from a results.jsonl,
// ...) must stay inside the output folder they are written to.
#include <filesystem>
#include <string>

namespace laq::train {

// dir / name, where name must be one plain file name: not empty, not "." or "..", no '/'
// and no NUL. Anything else is a laq::Error naming `what` (where the name came from) and
// the folder, so a crafted name can never write outside `dir`.
std::filesystem::path path_under(const std::filesystem::path& dir, const std::string& name, const std::string& what);

}  // namespace laq::train
