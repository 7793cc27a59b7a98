#pragma once
// The numbers the paper prints, read from docs/paper_numbers.csv, for the report to set beside ours.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace laq::train {

// One number printed in a paper (docs/paper_numbers.csv). dataset is the experiment's data
// name (mnist, cifar10, cifar100, svhn, warpeace, linux, ptb); bits 0 = the method ignores them.
struct PaperNumber {
  std::string table, dataset, method;
  int64_t bits = 0;
  std::string value;  // as printed, e.g. "1.170"
  std::string source;
};
// CSV with the header "table,dataset,method,bits,value,source"; the source is the rest of
// the line (it may hold commas). Lines starting with '#' are comments.
std::vector<PaperNumber> read_paper_numbers(const std::filesystem::path& file);

}  // namespace laq::train
