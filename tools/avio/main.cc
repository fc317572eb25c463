// avio: the command-line face of the avio library.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "command.hpp"

#ifndef AVIO_VERSION
#define AVIO_VERSION "unknown"
#endif

namespace {

// GNU style: "avio: <message>" then a pointer to --help.
std::string failure_message(const CLI::App *app, const CLI::Error &e) {
  std::string name = app->get_name();
  for (const CLI::App *parent = app->get_parent(); parent; parent = parent->get_parent())
    name = parent->get_name() + " " + name;
  return name + ": " + e.what() + "\nTry '" + name + " --help' for more information.\n";
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"avio: read, write, copy and decode through FFmpeg-style URLs (file:, pipe:, crypto:, subfile:, ...)",
               "avio"};
  app.set_version_flag("-V,--version", std::string("avio ") + AVIO_VERSION);
  app.require_subcommand(1);
  app.failure_message(failure_message);
  int status = 0;
  avio::tools::add_decode_audio(app, &status);
  avio::tools::add_cat(app, &status);
  avio::tools::add_cp(app, &status);
  avio::tools::add_stat(app, &status);
  avio::tools::add_ls(app, &status);
  avio::tools::add_protocols(app, &status);
  for (CLI::App *sub : app.get_subcommands({})) sub->failure_message(failure_message);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // --help and --version end here too, with status 0.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return status;
}
