// avio: the command-line face of the avio library.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "command.hpp"
#include "interrupt.hpp"

#ifndef AVIO_VERSION
#define AVIO_VERSION "unknown"
#endif

namespace {

// GNU style: "avio <command>: <message>" then a pointer to --help.
std::string usage_error(const std::string &name, const std::string &message) {
  return name + ": " + message + "\nTry '" + name + " --help' for more information.\n";
}

int run(int argc, char **argv) {
  CLI::App app{"avio: read, write, copy and decode through FFmpeg-style URLs (file:, pipe:, crypto:, subfile:, ...)",
               "avio"};
  app.set_version_flag("-V,--version", std::string("avio ") + AVIO_VERSION);
  app.require_subcommand(1);
  int status = 0;
  avio::tools::add_decode_audio(app, &status);
  avio::tools::add_cat(app, &status);
  avio::tools::add_cp(app, &status);
  avio::tools::add_stat(app, &status);
  avio::tools::add_ls(app, &status);
  avio::tools::add_rm(app, &status);
  avio::tools::add_presign(app, &status);
  avio::tools::add_protocols(app, &status);
  avio::tools::add_serve(app, &status);
  // An unknown command is named as such (CLI11 would only say one is required).
  if (argc < 2) {
    std::fputs(usage_error("avio", "missing command").c_str(), stderr);
    return 2;
  }
  bool known = argc < 2 || argv[1][0] == '-';
  for (const CLI::App *sub : app.get_subcommands({})) known = known || sub->get_name() == argv[1];
  if (!known) {
    std::fputs(usage_error("avio", std::string("'") + argv[1] + "' is not an avio command").c_str(), stderr);
    return 2;
  }
  avio::tools::install_interrupt_handlers();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // --help and --version end here too, with status 0.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    std::string name = "avio";
    for (const CLI::App *sub : app.get_subcommands()) name += " " + sub->get_name();
    std::fputs(usage_error(name, e.what()).c_str(), stderr);
    return 2;
  }
  // The command has cleaned up and said what it was doing; exit as a shell
  // expects of a process a signal stopped.
  if (avio::tools::interrupt_requested()) return avio::tools::interrupt_exit_status();
  return status;
}

}  // namespace

int main(int argc, char **argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception &e) {
    // What no command reports itself (out of memory, a CLI11 setup error).
    std::fprintf(stderr, "avio: %s\n", e.what());
    return 1;
  }
}
