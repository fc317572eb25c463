// avio's C++ API and the system libavformat, side by side in one process.
#include "harness/harness.hpp"
#include "workloads.hpp"

int main(int argc, char **argv) {
  return avio_bench::run_main(argc, argv, [](std::vector<avio_bench::Workload> &out, const avio_bench::Config &c) {
    avio_bench::register_read_workloads(out, c);
    avio_bench::register_write_workloads(out, c);
    avio_bench::register_file_workloads(out, c);
    avio_bench::register_net_workloads(out, c);
    avio_bench::register_http_workloads(out, c);
  });
}
