#pragma once
// Opening a text input (CSV, results.jsonl) with errors a user can act on: a missing file,
// a folder where a file was expected, a symlink loop and a permission problem are told
// apart, where a bare std::ifstream would only fail (or, on a folder, "open" and read
// nothing). Spreadsheet programs start UTF-8 CSV files with a byte-order mark: the header
// line is read without it.
#include <filesystem>
#include <fstream>
#include <string>

namespace laq::train {

// Throws laq::Error "<what> <path>: <reason>" unless path is a readable regular file.
std::ifstream open_text_input(const std::filesystem::path& path, const std::string& what);
// Removes a leading UTF-8 byte-order mark (EF BB BF) from the first line of a file.
void strip_utf8_bom(std::string& first_line);

}  // namespace laq::train
