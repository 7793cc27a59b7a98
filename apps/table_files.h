#pragma once
// The file helpers of `laq table`: checks and writes that report errors as laq::Error.
#include <filesystem>
#include <string>

namespace laq::apps {

// Without throwing: a symlink loop or an unreadable parent is "not a folder" here.
bool is_folder(const std::filesystem::path& p);
// Writes the whole text (binary mode); throws laq::Error when p is a folder or the write fails.
void write_file(const std::filesystem::path& p, const std::string& text);
// docs/paper_numbers.csv of the source tree the binary was built in (build/laq -> ../docs);
// empty when none is found.
std::filesystem::path default_paper_file();
// Whether an executable of that name is in one of $PATH's folders.
bool on_path(const std::string& program);

}  // namespace laq::apps
