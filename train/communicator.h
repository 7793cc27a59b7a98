#pragma once
// The communicator: what a run needs to know about the other processes of its MPI job
// (docs/design.md §3, "Distributed runs use MPI and nothing home-made").
//
//   SerialCommunicator: one process, rank 0 of 1; every reduction is the identity.
//   MPI (train/communicator_mpi.cpp, built only with LAQ_WITH_MPI): MPI_COMM_WORLD.
//
// Contract: every rank calls the collectives (allreduce_sum, barrier) in the same order with
// the same sizes; afterwards every rank holds bit-identical sums. The bits of a sum depend on
// the rank count (and the reduction algorithm MPI picks), so results record the rank count.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace laq::train {

// A few integers from another rank (the sweep dispatcher's requests and replies).
struct Message {
  int from = 0;
  std::vector<int64_t> data;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // In place: values[i] becomes the sum over ranks of values[i].
  virtual void allreduce_sum(std::span<float> values) = 0;
  virtual void allreduce_sum(std::span<double> values) = 0;
  virtual void barrier() = 0;
  // Point to point, for the sweep dispatcher: send never waits for the receiver to call
  // poll; poll returns a waiting message from any rank, or nothing, without blocking.
  virtual void send(int to, std::span<const int64_t> message) = 0;
  virtual std::optional<Message> poll() = 0;
  // Ends every process of the job with `code` (MPI_Abort), so that a rank that failed does
  // not leave the others waiting forever in a collective. Serial: does nothing (the caller
  // exits normally).
  virtual void abort_job(int code) = 0;
};

class SerialCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allreduce_sum(std::span<float>) override {}
  void allreduce_sum(std::span<double>) override {}
  void barrier() override {}
  void send(int to, std::span<const int64_t>) override;  // throws: there is no other rank
  std::optional<Message> poll() override { return std::nullopt; }
  void abort_job(int) override {}
};

// True when this process was started by an MPI launcher (mpirun, mpiexec, srun with PMI or
// PMIx): then, and only then, laq initialises MPI. A plain `laq ...` never touches MPI.
bool launched_by_mpi_launcher();

// Whether this build has the MPI communicator (CMake option LAQ_WITH_MPI).
bool built_with_mpi();

// MPI_Init (once) and a communicator over MPI_COMM_WORLD; MPI_Finalize when the last one is
// destroyed. Throws laq::Error in a build without MPI.
std::unique_ptr<Communicator> make_mpi_communicator();

}  // namespace laq::train
