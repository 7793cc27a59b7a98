#include "train/text_input.h"

#include <cerrno>
#include <cstring>

#include "engine/error.h"

namespace laq::train {
namespace fs = std::filesystem;

std::ifstream open_text_input(const fs::path& path, const std::string& what) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw Error(what + " " + path.string() + ": " +
                (ec == std::errc::too_many_symbolic_link_levels ? std::string("a symlink loop") : ec.message()));
  if (!fs::exists(st)) throw Error(what + " " + path.string() + " does not exist");
  if (fs::is_directory(st)) throw Error(what + " " + path.string() + " is a folder, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + what + " " + path.string() + ": " + std::strerror(errno));
  return in;
}

void strip_utf8_bom(std::string& first_line) {
  if (first_line.rfind("\xEF\xBB\xBF", 0) == 0) first_line.erase(0, 3);
}

}  // namespace laq::train
