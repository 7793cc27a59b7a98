#include "optim/schedule.h"

#include <cmath>
#include <sstream>

#include "engine/error.h"

namespace laq::optim {

float Schedule::at(int epoch) const {
  int decays = 0;
  switch (kind) {
    case Kind::constant: break;
    case Kind::step:
      for (int m : milestones) decays += m < epoch;
      break;
    case Kind::every: decays = (epoch - 1) / period; break;
    case Kind::exponential: decays = std::max(0, epoch - start); break;
  }
  return static_cast<float>(initial * std::pow(double(factor), decays));
}

std::string Schedule::describe() const {
  std::ostringstream s;
  switch (kind) {
    case Kind::constant: return "constant";
    case Kind::step:
      s << "step:";
      for (size_t i = 0; i < milestones.size(); ++i) s << (i ? "," : "") << milestones[i];
      return s.str();
    case Kind::every: return "every:" + std::to_string(period);
    case Kind::exponential: return "exp:" + std::to_string(start);
  }
  return "";
}

Schedule Schedule::parse(const std::string& text, float initial, float factor) {
  Schedule s;
  s.initial = initial;
  s.factor = factor;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : text.substr(colon + 1);
  auto bad = [&](const std::string& why) {
    return Error("bad schedule '" + text + "': " + why +
                 " (expected constant, step:E1,E2,..., every:N or exp:E)");
  };
  auto to_int = [&](const std::string& v) {
    size_t used = 0;
    int x = 0;
    try {
      x = std::stoi(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != v.size() || v.empty() || x < 1) throw bad("'" + v + "' is not a positive epoch");
    return x;
  };
  if (kind == "constant" && arg.empty()) {
    s.kind = Kind::constant;
  } else if (kind == "step") {
    s.kind = Kind::step;
    std::stringstream in(arg);
    for (std::string item; std::getline(in, item, ',');) s.milestones.push_back(to_int(item));
    if (s.milestones.empty()) throw bad("no milestones");
    for (size_t i = 1; i < s.milestones.size(); ++i)
      if (s.milestones[i] <= s.milestones[i - 1])
        throw bad("milestones must increase, got " + std::to_string(s.milestones[i - 1]) + " then " +
                  std::to_string(s.milestones[i]));
  } else if (kind == "every") {
    s.kind = Kind::every;
    s.period = to_int(arg);
  } else if (kind == "exp") {
    s.kind = Kind::exponential;
    s.start = to_int(arg);
  } else {
    throw bad("unknown kind '" + kind + "'");
  }
  return s;
}

}  // namespace laq::optim
