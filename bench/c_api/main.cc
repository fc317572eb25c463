// One side of the C API comparison: avio's C API or libavformat, whichever
// this program was linked with (see workloads.cc).
#include "harness/harness.hpp"
#include "workloads.hpp"

int main(int argc, char **argv) { return avio_bench::run_main(argc, argv, avio_bench::register_c_api_workloads); }
