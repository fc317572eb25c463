// avio rm URL...: deletes through the URL's protocol (ffurl_delete): a file
// or an empty directory (file:, a plain path), an S3 object (s3://), ...
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "avio/url.hpp"
#include "command.hpp"
#include "endpoints.hpp"

namespace avio::tools {

namespace {

struct RmArgs {
  std::vector<std::string> urls;
  OptionList options;
};

int run_rm(const RmArgs &args) {
  Result<OpenOptions> options = open_options(kOpenWrite, args.options);
  if (!options) return report("rm", "-o", options.error());
  int status = 0;
  // Like rm(1): a failure is reported and the other URLs are still deleted.
  for (const std::string &url : args.urls) {
    if (Status st = delete_url(url, *options); !st) status = report("rm", url, st.error());
  }
  return status;
}

}  // namespace

void add_rm(CLI::App &app, int *status) {
  auto args = std::make_shared<RmArgs>();
  CLI::App *cmd = app.add_subcommand("rm", "Delete URLs (a file or empty directory, an S3 object, ...)");
  cmd->add_option("URL", args->urls, "what to delete (any avio URL whose protocol can delete)")->required();
  cmd->add_option("-o,--option", args->options, "protocol option for every URL, KEY=VALUE (repeatable)");
  cmd->callback([args, status] { *status = run_rm(*args); });
}

}  // namespace avio::tools
