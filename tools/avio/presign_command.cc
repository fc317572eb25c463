// avio presign s3://bucket/key: prints a presigned http(s) URL of the object
// (avio::s3_presign), which curl, a browser or FFmpeg can fetch (GET) or
// upload to (PUT) without credentials until it expires.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "avio/s3.hpp"
#include "command.hpp"
#include "endpoints.hpp"

namespace avio::tools {

namespace {

struct PresignArgs {
  std::string url;
  int64_t expires = 3600;
  std::string method = "GET";
  OptionList options;
};

int run_presign(const PresignArgs &args) {
  Result<OpenOptions> options = open_options(kOpenRead, args.options);
  if (!options) return report("presign", args.url, options.error());
  Result<std::string> url = s3_presign(args.url, options->options, args.expires, args.method);
  if (!url) return report("presign", args.url, url.error());
  std::printf("%s\n", url->c_str());
  return std::fflush(stdout) == 0 ? 0 : report("presign", "stdout", Error(-EIO, "cannot write"));
}

}  // namespace

void add_presign(CLI::App &app, int *status) {
  auto args = std::make_shared<PresignArgs>();
  CLI::App *cmd = app.add_subcommand("presign", "Print a presigned http(s) URL of an S3 object (no request is made)");
  cmd->add_option("URL", args->url, "s3://bucket/key")->required();
  cmd->add_option("-e,--expires", args->expires, "seconds the URL stays valid (1 to 604800)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{604800}));
  cmd->add_option("-m,--method", args->method, "what the URL allows: GET (read) or PUT (upload)")
      ->capture_default_str()
      ->check(CLI::IsMember({"GET", "PUT"}));
  cmd->add_option("-o,--option", args->options, "s3 option, KEY=VALUE (repeatable)");
  cmd->callback([args, status] { *status = run_presign(*args); });
}

}  // namespace avio::tools
