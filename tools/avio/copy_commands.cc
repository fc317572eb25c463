// avio cat URL... and avio cp SRC DST: bytes from any avio URL to any other.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "endpoints.hpp"
#include "progress_bar.hpp"

namespace avio::tools {

namespace {

// Copies `in` to `out` until EOF. Errors name the side that failed.
struct CopyFailure {
  bool on_output;
  Error error;
};

std::optional<CopyFailure> copy(IOContext &in, IOContext &out, size_t block_size, ProgressBar *bar, int64_t *copied) {
  std::vector<uint8_t> block(block_size);
  for (;;) {
    Result<size_t> n = in.read_partial(block);
    if (!n) {
      if (n.error().is_eof()) return std::nullopt;
      return CopyFailure{false, n.error()};
    }
    out.write({block.data(), *n});
    if (Status st = out.status(); !st) return CopyFailure{true, st.error()};
    *copied += static_cast<int64_t>(*n);
    if (bar) bar->update(*copied);
  }
}

struct CatArgs {
  std::vector<std::string> urls;
  OptionList options;
  bool no_cache = false;
  bool verbose = false;
};

int run_cat(const CatArgs &args) {
  Result<Output> out = Output::open("-");
  if (!out) return report("cat", "stdout", out.error());
  int status = 0;
  // Like cat(1): a missing input is reported and the others are still copied.
  for (const std::string &url : args.urls) {
    Result<IOContext> in = open_input(url, args.options, !args.no_cache);
    if (!in) {
      status = report("cat", url, in.error());
      continue;
    }
    int64_t copied = 0;
    if (std::optional<CopyFailure> failed = copy(*in, out->io(), 1 << 16, nullptr, &copied)) {
      status = report("cat", failed->on_output ? "stdout" : url, failed->error);
      if (failed->on_output) return status;
    }
    if (args.verbose) print_remote_reads("cat", url, *in);
    out->io().flush();
  }
  if (Status st = out->commit(); !st) return report("cat", "stdout", st.error());
  return status;
}

struct CpArgs {
  std::string source;
  std::string destination;
  std::string buffer_size = "64k";
  OptionList input_options;
  OptionList output_options;
  bool quiet = false;
  bool no_cache = false;
  bool verbose = false;
};

int run_cp(const CpArgs &args) {
  const long long block = parse_byte_size(args.buffer_size);
  if (block <= 0 || block > (1 << 30))
    return report("cp", "--buffer-size", Error::invalid_argument("invalid size '" + args.buffer_size + "'"));
  Result<IOContext> in = open_input(args.source, args.input_options, !args.no_cache);
  if (!in) return report("cp", args.source, in.error());
  Result<Output> out = Output::open(args.destination, args.output_options);
  if (!out) return report("cp", args.destination, out.error());
  int64_t total = -1;
  if (Result<int64_t> size = in->size(); size) total = *size;
  ProgressBar bar(!args.quiet && stderr_is_terminal(), "", total);
  int64_t copied = 0;
  if (std::optional<CopyFailure> failed = copy(*in, out->io(), static_cast<size_t>(block), &bar, &copied)) {
    bar.clear();
    out->discard();
    return report("cp", failed->on_output ? args.destination : args.source, failed->error);
  }
  if (Status st = out->commit(); !st) {
    bar.clear();
    return report("cp", args.destination, st.error());
  }
  bar.update(copied);
  bar.finish();
  if (args.verbose) print_remote_reads("cp", args.source, *in);
  return 0;
}

}  // namespace

void add_cat(CLI::App &app, int *status) {
  auto args = std::make_shared<CatArgs>();
  CLI::App *cmd = app.add_subcommand("cat", "Concatenate URLs to standard output");
  cmd->add_option("URL", args->urls, "inputs (any avio URL, - for stdin)")->required();
  cmd->add_option("-o,--option", args->options, "protocol option for every input, KEY=VALUE (repeatable)");
  cmd->add_flag("--no-cache", args->no_cache, "read http, https and s3 inputs without the block cache");
  cmd->add_flag("-v,--verbose", args->verbose, "print what each remote input cost (requests, bytes, cache)");
  cmd->callback([args, status] { *status = run_cat(*args); });
}

void add_cp(CLI::App &app, int *status) {
  auto args = std::make_shared<CpArgs>();
  CLI::App *cmd = app.add_subcommand("cp", "Copy SRC to DST; either may be any avio URL, - for stdin/stdout");
  cmd->add_option("SRC", args->source, "the input URL")->required();
  cmd->add_option("DST", args->destination, "the output URL")->required();
  cmd->add_option("-b,--buffer-size", args->buffer_size, "bytes per read (suffixes k, M)")->capture_default_str();
  cmd->add_option("-o,--input-option", args->input_options, "protocol option for SRC, KEY=VALUE (repeatable)");
  cmd->add_option("-O,--output-option", args->output_options, "protocol option for DST, KEY=VALUE (repeatable)");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress bar");
  cmd->add_flag("--no-cache", args->no_cache, "read an http, https or s3 SRC without the block cache");
  cmd->add_flag("-v,--verbose", args->verbose, "print what a remote SRC cost (requests, bytes, cache)");
  cmd->callback([args, status] { *status = run_cp(*args); });
}

}  // namespace avio::tools
