// The avio tool's subcommands. Each `add_*` registers one subcommand, its
// options and its action on the CLI11 app; the action stores the process's
// exit status in `*status` (0 on success, 1 on failure).
//
// Errors are reported in the style of common Unix tools: one line on stderr,
// "avio <command>: <what>: <cause>".
#ifndef AVIO_TOOLS_COMMAND_HPP
#define AVIO_TOOLS_COMMAND_HPP

#include <string>
#include <string_view>

#include "avio/error.hpp"

namespace CLI {
class App;
}

namespace avio::tools {

void add_decode_audio(CLI::App &app, int *status);
void add_cat(CLI::App &app, int *status);
void add_cp(CLI::App &app, int *status);
void add_stat(CLI::App &app, int *status);
void add_ls(CLI::App &app, int *status);
void add_rm(CLI::App &app, int *status);
void add_presign(CLI::App &app, int *status);
void add_protocols(CLI::App &app, int *status);
void add_serve(CLI::App &app, int *status);

// Prints "avio <command>: <subject>: <cause>" on stderr; returns 1.
int report(std::string_view command, std::string_view subject, const Error &error);

// The text of an error: its detail and its code's text (av_strerror's words).
std::string error_message(const Error &error);

// Parses "64k", "1M", "4096" (powers of 1024). Returns -1 when invalid.
long long parse_byte_size(std::string_view text);

}  // namespace avio::tools

#endif  // AVIO_TOOLS_COMMAND_HPP
