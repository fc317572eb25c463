#include "wait_budget.hpp"

#include <utility>

namespace avio::tools::serve {

namespace {

struct Budget {
  Deadline deadline;  // never() when unset
  bool idle = false;
};

thread_local Budget budget;

}  // namespace

void WaitBudget::set(Deadline deadline, bool idle) { budget = {deadline, idle}; }

void WaitBudget::clear() { budget = {}; }

bool WaitBudget::expired() { return budget.deadline.expired(); }

std::function<bool()> WaitBudget::callback(std::shared_ptr<const std::atomic<bool>> draining) {
  return [draining = std::move(draining)] {
    if (budget.deadline.expired()) return true;
    return budget.idle && draining->load(std::memory_order_acquire);
  };
}

}  // namespace avio::tools::serve
