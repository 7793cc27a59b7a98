#pragma once
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace laq::apps {

// A bad flag or value: one line on stderr, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Command {
  std::string name;
  std::function<int(int, char**)> run;  // argv[0] is the command name
};

const std::vector<Command>& commands();

int run_train(int argc, char** argv);
int run_bench(int argc, char** argv);
int run_quantize(int argc, char** argv);
int run_export(int argc, char** argv);
int run_inspect(int argc, char** argv);
int run_table(int argc, char** argv);
int run_infer(int argc, char** argv);
int run_sample(int argc, char** argv);

}  // namespace laq::apps
