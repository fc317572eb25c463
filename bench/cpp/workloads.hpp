// The workloads of the C++-API benchmark program, one registration function
// per group.
#ifndef AVIO_BENCH_CPP_WORKLOADS_HPP
#define AVIO_BENCH_CPP_WORKLOADS_HPP

#include <string>
#include <vector>

#include "harness/harness.hpp"

namespace avio_bench {

void register_read_workloads(std::vector<Workload> &out, const Config &config);
void register_write_workloads(std::vector<Workload> &out, const Config &config);
void register_file_workloads(std::vector<Workload> &out, const Config &config);
void register_net_workloads(std::vector<Workload> &out, const Config &config);
void register_http_workloads(std::vector<Workload> &out, const Config &config);

inline std::string mib(int64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace avio_bench

#endif  // AVIO_BENCH_CPP_WORKLOADS_HPP
