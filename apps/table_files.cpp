#include "apps/table_files.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "engine/error.h"

namespace laq::apps {
namespace fs = std::filesystem;

bool is_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

void write_file(const fs::path& p, const std::string& text) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) throw Error("cannot write " + p.string() + ": it is a folder, expected a file");
  std::ofstream f(p, std::ios::binary);
  f << text;
  f.close();
  if (!f) throw Error("cannot write " + p.string());
}

fs::path default_paper_file() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (fs::path dir = self.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    const fs::path p = dir / "docs" / "paper_numbers.csv";
    if (fs::is_regular_file(p, ec)) return p;
  }
  return {};
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::istringstream s(path);
  for (std::string dir; std::getline(s, dir, ':');)
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace laq::apps
