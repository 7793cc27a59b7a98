#include "train/paper_numbers.h"

#include <exception>
#include <fstream>

#include "engine/error.h"
#include "train/table_rows.h"
#include "train/text_input.h"

namespace laq::train {
namespace fs = std::filesystem;

std::vector<PaperNumber> read_paper_numbers(const fs::path& file) {
  std::ifstream in = open_text_input(file, "the paper's numbers");
  std::vector<PaperNumber> out;
  int64_t n = 0;
  bool header = false;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (n == 1) strip_utf8_bom(line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    size_t pos = 0;
    for (int i = 0; i < 5; ++i) {
      const size_t c = line.find(',', pos);
      if (c == std::string::npos) throw Error(file.string() + ":" + std::to_string(n) + ": expected 6 fields");
      f.push_back(line.substr(pos, c - pos));
      pos = c + 1;
    }
    f.push_back(line.substr(pos));
    if (!header) {
      if (f[0] != "table" || f[1] != "dataset" || f[2] != "method" || f[3] != "bits" || f[4] != "value" ||
          f[5] != "source")
        throw Error(file.string() + ":" + std::to_string(n) +
                    ": expected the header table,dataset,method,bits,value,source");
      header = true;
      continue;
    }
    PaperNumber p;
    p.table = f[0];
    p.dataset = f[1];
    p.method = f[2];
    try {
      p.bits = f[3].empty() ? 0 : std::stoll(f[3]);
      (void)std::stod(f[4]);
    } catch (const std::exception&) {
      throw Error(file.string() + ":" + std::to_string(n) + ": bits and value must be numbers");
    }
    p.bits = row_key(p.method, p.bits).bits;
    p.value = f[4];
    p.source = f[5];
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace laq::train
