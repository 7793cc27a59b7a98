// The MPI communicator over MPI_COMM_WORLD. Compiled only with LAQ_WITH_MPI (CMakeLists.txt).
// The C API only: Open MPI's mpi.h would otherwise pull in its deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <string>

#include "engine/error.h"
#include "train/communicator.h"

namespace laq::train {
namespace {

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(std::string(what) + " failed: " + std::string(text, size_t(length)));
}

// Sums travel in pieces of at most 2^30 elements: MPI counts are ints.
constexpr size_t kMaxCount = size_t{1} << 30;

// The dispatcher's messages use one tag, so that they never match a collective's traffic.
constexpr int kTag = 7;

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) check(MPI_Init(nullptr, nullptr), "MPI_Init");
    // Errors come back as codes (turned into laq::Error) instead of aborting inside MPI.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allreduce_sum(std::span<float> values) override { reduce(values.data(), values.size(), MPI_FLOAT); }
  void allreduce_sum(std::span<double> values) override { reduce(values.data(), values.size(), MPI_DOUBLE); }
  void barrier() override { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

  void send(int to, std::span<const int64_t> message) override {
    check(MPI_Send(message.data(), int(message.size()), MPI_INT64_T, to, kTag, MPI_COMM_WORLD), "MPI_Send");
  }

  std::optional<Message> poll() override {
    int waiting = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, kTag, MPI_COMM_WORLD, &waiting, &status), "MPI_Iprobe");
    if (!waiting) return std::nullopt;
    int count = 0;
    MPI_Get_count(&status, MPI_INT64_T, &count);
    Message m{status.MPI_SOURCE, std::vector<int64_t>(size_t(count))};
    check(MPI_Recv(m.data.data(), count, MPI_INT64_T, status.MPI_SOURCE, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
          "MPI_Recv");
    return m;
  }

  void abort_job(int code) override {
    if (size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
  }

 private:
  template <typename T>
  void reduce(T* data, size_t n, MPI_Datatype type) {
    if (size_ == 1) return;
    for (size_t done = 0; done < n; done += kMaxCount) {
      const int count = int(std::min(kMaxCount, n - done));
      check(MPI_Allreduce(MPI_IN_PLACE, data + done, count, type, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
    }
  }

  int rank_ = 0, size_ = 1;
};

}  // namespace

bool built_with_mpi() { return true; }

std::unique_ptr<Communicator> make_mpi_communicator() { return std::make_unique<MpiCommunicator>(); }

}  // namespace laq::train
