// The C API benchmark's workloads (see workloads.cc).
#ifndef AVIO_BENCH_C_API_WORKLOADS_HPP
#define AVIO_BENCH_C_API_WORKLOADS_HPP

#include <vector>

#include "harness/harness.hpp"

namespace avio_bench {

void register_c_api_workloads(std::vector<Workload> &out, const Config &config);

}  // namespace avio_bench

#endif  // AVIO_BENCH_C_API_WORKLOADS_HPP
