#pragma once
// A `laq` child process (the sweep's cells): the same binary (/proc/self/exe), its output
// appended to a log file, and no MPI in its environment, so that it runs as a plain single
// process even when its parent is a rank of an MPI job. It is killed if its parent dies, so
// a killed sweep leaves no orphan training behind.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace laq::apps {

// Starts `laq args...`; throws laq::Error when the process cannot be started.
pid_t spawn_laq(const std::vector<std::string>& args, const std::filesystem::path& log);

// The exit code once the child has ended (128 + signal when it was killed); nothing while it
// runs (`block`: wait for it).
std::optional<int> child_exit_code(pid_t pid, bool block);

}  // namespace laq::apps
