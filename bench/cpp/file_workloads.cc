// Files: sequential reads and writes in 4 KiB requests, and a seek-heavy parse.
#include "contexts.hpp"
#include "workloads.hpp"

namespace avio_bench {

void register_file_workloads(std::vector<Workload> &, const Config &) {}

}  // namespace avio_bench
