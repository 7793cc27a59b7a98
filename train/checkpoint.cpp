#include "train/checkpoint.h"

#include <H5Cpp.h>

#include <map>

#include "engine/error.h"
#include "engine/rng.h"
#include "optim/arena.h"
#include "train/hdf5_util.h"

namespace laq::train {
namespace {

constexpr const char* kFormat = "laq-checkpoint";
constexpr int64_t kFormatVersion = 2;  // 2: quantized scales are saved
namespace fs = std::filesystem;
using namespace hdf5;

template <typename F>
void visit_progress(Progress& p, F&& f) {
  f("epoch", p.epoch);
  f("step_in_epoch", p.step_in_epoch);
  f("global_step", p.global_step);
  f("data_rng", p.data_rng);
  f("best_val_error", p.best_val_error);
  f("best_epoch", p.best_epoch);
  f("test_error_at_best", p.test_error_at_best);
  f("epoch_loss_sum", p.epoch_loss_sum);
  f("epoch_errors", p.epoch_errors);
  f("epoch_examples", p.epoch_examples);
  f("elapsed_seconds", p.elapsed_seconds);
}

// State buffers that run parallel to a parameter group are split per parameter.
struct Placement {
  std::string group, name;
  std::span<float> data;
  engine::Shape shape;
};

std::vector<Placement> place(const ModelState& state) {
  std::vector<Placement> out;
  for (layers::Parameter* p : state.parameters)
    out.push_back({"/parameters/" + p->name, "latent", p->latent.span(), p->latent.shape()});
  for (const layers::NamedBuffer& b : state.buffers)
    out.push_back({"/buffers", b.name, b.tensor->span(), b.tensor->shape()});
  for (const optim::StateBuffer& b : state.optimizer.buffers) {
    if (b.group && static_cast<int64_t>(b.data.size()) == b.group->size()) {
      for (const optim::ArenaSlot& slot : b.group->slots)
        out.push_back({"/parameters/" + slot.parameter->name, b.name,
                       b.data.subspan(slot.offset - b.group->begin, slot.size),
                       slot.parameter->latent.shape()});
    } else {
      out.push_back({"/optimizer", b.name, b.data, {}});
    }
  }
  return out;
}

H5::Group ensure_group(H5::H5File& file, const std::string& path) {
  // Create each level: the 1.10 C++ API has no "create intermediate groups" overload.
  std::string at;
  size_t pos = 1;
  while (pos <= path.size()) {
    const size_t next = path.find('/', pos);
    at = path.substr(0, next);
    if (!file.nameExists(at)) file.createGroup(at);
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return file.openGroup(path);
}

}  // namespace

void save_checkpoint(const fs::path& path, const RunConfig& config, const Progress& progress,
                     const ModelState& state) {
  write_laq_file(path, "checkpoint", kFormat, kFormatVersion, [&](H5::H5File& file) {
    H5::Group cfg = file.createGroup("/config");
    visit_fields(const_cast<RunConfig&>(config), [&](const char* k, auto& v) { write_attr(cfg, k, v); });
    H5::Group prog = file.createGroup("/progress");
    visit_progress(const_cast<Progress&>(progress), [&](const char* k, auto& v) { write_attr(prog, k, v); });
    write_attr(prog, "last_epoch_line", progress.last_epoch_line);
    for (const Placement& p : place(state)) {
      H5::Group g = ensure_group(file, p.group);
      write_floats(g, p.name, p.data, p.shape);
    }
    H5::Group opt = ensure_group(file, "/optimizer");
    for (const optim::StateCounter& c : state.optimizer.counters) write_attr(opt, c.name, *c.value);
  });
}

namespace {

// Version 1 lacked the quantized scales; it is identical for full-precision runs, and a
// quantized one is refused by the missing entry.
H5::H5File open_checkpoint(const fs::path& path) {
  return open_laq_file(path, "checkpoint", kFormat, kFormatVersion, 1);
}

// The epoch loop trusts these: a negative position or an unreadable generator state would
// only fail (or loop) much later, far from the file.
void check_progress(const fs::path& path, const Progress& p) {
  auto bad = [&](const std::string& field, int64_t v) {
    throw Error(path.string() + ": /progress@" + field + " is " + std::to_string(v) + ", out of range");
  };
  if (p.epoch < 1) bad("epoch", p.epoch);
  if (p.step_in_epoch < 0) bad("step_in_epoch", p.step_in_epoch);
  if (p.global_step < 0) bad("global_step", p.global_step);
  if (p.epoch_errors < 0) bad("epoch_errors", p.epoch_errors);
  if (p.epoch_examples < 0) bad("epoch_examples", p.epoch_examples);
  try {
    engine::load_rng(p.data_rng);
  } catch (const Error&) {
    throw Error(path.string() + ": /progress@data_rng is not a random-generator state");
  }
}

}  // namespace

RunConfig read_checkpoint_config(const fs::path& path) {
  return guard(path, "read checkpoint", [&] {
    H5::H5File file = open_checkpoint(path);
    H5::Group cfg = file.openGroup("/config");
    RunConfig config;
    visit_fields(config, [&](const char* k, auto& v) {
      // Fields added after format 1; their defaults are what format-1 runs used.
      const std::string key = k;
      if (!cfg.attrExists(k) && (key == "val_size" || key == "vocab")) return;
      if (!cfg.attrExists(k)) throw Error(path.string() + ": /config lacks '" + k + "'");
      read_attr(cfg, k, v);
    });
    return config;
  });
}

namespace {

void read_progress(const fs::path& path, H5::H5File& file, Progress& progress) {
  if (!file.nameExists("/progress")) throw Error(path.string() + ": missing group /progress");
  H5::Group prog = file.openGroup("/progress");
  visit_progress(progress, [&](const char* k, auto& v) {
    if (!prog.attrExists(k)) throw Error(path.string() + ": /progress lacks '" + k + "'");
    read_attr(prog, k, v);
  });
  progress.last_epoch_line.clear();
  if (prog.attrExists("last_epoch_line")) read_attr(prog, "last_epoch_line", progress.last_epoch_line);
  check_progress(path, progress);
}

}  // namespace

Progress read_checkpoint_progress(const fs::path& path) {
  return guard(path, "read checkpoint", [&] {
    H5::H5File file = open_checkpoint(path);
    Progress progress;
    read_progress(path, file, progress);
    return progress;
  });
}

void load_checkpoint(const fs::path& path, Progress& progress, const ModelState& state) {
  guard(path, "read checkpoint", [&] {
    H5::H5File file = open_checkpoint(path);
    read_progress(path, file, progress);
    for (const Placement& p : place(state)) {
      if (!file.nameExists(p.group)) throw Error(path.string() + ": missing group " + p.group);
      read_floats(file.openGroup(p.group), p.name, p.data, path.string() + ":" + p.group);
    }
    H5::Group opt = file.openGroup("/optimizer");
    for (const optim::StateCounter& c : state.optimizer.counters) {
      if (!opt.attrExists(c.name)) throw Error(path.string() + ": /optimizer lacks '" + c.name + "'");
      read_attr(opt, c.name, *c.value);
    }
    return 0;
  });
}

}  // namespace laq::train
