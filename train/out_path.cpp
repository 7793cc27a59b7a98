#include "train/out_path.h"

#include <cstdio>

#include "engine/error.h"
#include "train/run_folder.h"

namespace laq::train {

namespace {

// The name as an error message can carry it: a NUL would cut the message short.
std::string printable(const std::string& name) {
  std::string s;
  for (unsigned char c : name) {
    if (c >= 0x20 && c != 0x7F) {
      s.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      s += buf;
    }
  }
  return s;
}

}  // namespace

std::filesystem::path path_under(const std::filesystem::path& dir, const std::string& name, const std::string& what) {
  const bool plain = !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
                     name.find('\0') == std::string::npos;
  if (!plain)
    throw Error(what + ": the file name '" + printable(name) + "' is not a plain name inside " + dir.string() +
                " (no '/', '.' or '..' allowed)");
  return dir / name;
}

void check_output_file(const std::filesystem::path& out, const std::string& flag,
                       const std::vector<std::filesystem::path>& inputs,
                       const std::function<bool(const std::filesystem::path&)>& is_own_output,
                       const std::string& own_kind) {
  namespace fs = std::filesystem;
  const std::string at = "option '" + flag + "': " + out.string();
  std::error_code ec;
  const fs::file_status st = fs::status(out, ec);
  if (ec == std::errc::too_many_symbolic_link_levels) throw Error(at + " is a symlink loop");
  if (fs::is_directory(st)) throw Error(at + " is a folder, expected a file name");
  const fs::path parent = fs::absolute(out, ec).parent_path();
  if (!fs::is_directory(parent, ec)) throw Error(at + ": the folder " + parent.string() + " does not exist");
  if (!fs::exists(st)) {
    if (fs::is_symlink(fs::symlink_status(out, ec))) throw Error(at + " is a dangling symlink");
  }
  for (const fs::path& in : inputs)
    if (fs::exists(st) && fs::equivalent(out, in, ec))
      throw Error(at + " is the input " + in.string() + "; writing it would destroy it, choose another " + flag);
  const std::string name = out.filename().string();
  for (const char* run_file : {"results.jsonl", "checkpoint.h5", "best.h5", kRunLockFile})
    if (name == run_file)
      throw Error(at + " would replace a training run's " + name + "; choose another " + flag);
  if (fs::exists(st) && !is_own_output(out))
    throw Error(at + " exists and is not a " + own_kind + "; remove it or choose another " + flag);
}

}  // namespace laq::train
