// avio serve DIR: a static HTTP/1.1 (and https) file server over avio's own
// tcp and tls protocols and its HTTP message layer (tools/avio/serve/).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "command.hpp"
#include "serve/entry_count.hpp"
#include "serve/server.hpp"
#include "serve/signal_watch.hpp"

namespace avio::tools {

namespace {

using serve::count_entries;
using serve::Server;
using serve::ServerConfig;

struct ServeArgs {
  std::string dir;
  std::string listen = "127.0.0.1:8080";
  std::string cert, key, log;
  bool writable = false;
  int threads = 16;
  double header_timeout = 10, idle_timeout = 15, io_timeout = 30, grace = 2;
  std::string max_body = "4096M";
};

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

Result<ServerConfig> make_config(const ServeArgs &a) {
  ServerConfig c;
  c.root = a.dir;
  Result<serve::ListenAddress> address = serve::parse_listen_address(a.listen);
  if (!address) return address.error();
  c.address = *address;
  c.cert_file = a.cert;
  c.key_file = a.key;
  c.log_path = a.log;
  c.threads = static_cast<size_t>(a.threads);
  c.queue_capacity = 4 * c.threads;
  c.timeouts = {millis(a.header_timeout), millis(a.idle_timeout), millis(a.io_timeout)};
  c.grace = millis(a.grace);
  c.handler.writable = a.writable;
  c.handler.max_body = parse_byte_size(a.max_body);
  if (c.handler.max_body < 0) return Error(-EINVAL, "--max-body: '" + a.max_body + "' is not a size (4096, 64k, 1M)");
  return c;
}

// Says what a stop left behind: every descriptor the server opened is
// closed and every thread it started joined, or this is a bug.
bool check_clean_exit(int descriptors_before) {
  const int descriptors = count_entries("/proc/self/fd");
  const int threads = count_entries("/proc/self/task");
  if (descriptors == descriptors_before && threads == 1) return true;
  std::fprintf(stderr, "avio serve: left behind: %d descriptors (%d before), %d threads\n", descriptors,
               descriptors_before, threads);
  return false;
}

int run_serve(const ServeArgs &args) {
  Result<ServerConfig> config = make_config(args);
  if (!config) return report("serve", args.listen, config.error());
  const int descriptors_before = count_entries("/proc/self/fd");
  // Before any thread starts: they inherit the blocked signals.
  Result<serve::SignalWatch> signals = serve::SignalWatch::start();
  if (!signals) return report("serve", "signals", signals.error());
  int signal = 0;
  {
    Result<std::unique_ptr<Server>> server = Server::start(*config);
    if (!server) return report("serve", args.dir + " on " + args.listen, server.error());
    std::fprintf(stderr, "avio serve: listening on %s\n", (*server)->url().c_str());
    std::fflush(stderr);
    signal = signals->wait((*server)->failed());
    signals->restore();  // a second signal ends the process at once
    if (signal) std::fprintf(stderr, "avio serve: SIG%s: stopping\n", sigabbrev_np(signal));
    (*server)->stop();
  }
  const bool clean = check_clean_exit(descriptors_before);
  std::fprintf(stderr, "avio serve: stopped\n");
  return signal && clean ? 0 : 1;
}

}  // namespace

void add_serve(CLI::App &app, int *status) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App *cmd = app.add_subcommand(
      "serve", "Serve DIR over HTTP/1.1 (https with --cert and --key): GET, HEAD, byte ranges, PUT with --writable");
  cmd->add_option("DIR", args->dir, "the directory to serve")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on ([::1]:8080 for IPv6; port 0: any free port)")
      ->capture_default_str();
  CLI::Option *cert =
      cmd->add_option("--cert", args->cert, "PEM certificate (chain): serve https")->check(CLI::ExistingFile);
  CLI::Option *key = cmd->add_option("--key", args->key, "PEM private key of --cert")->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  cmd->add_flag("--writable", args->writable, "accept PUT: store the body under DIR (atomically)");
  cmd->add_option("--log", args->log, "append the access log to FILE instead of stderr");
  cmd->add_option("--threads", args->threads, "worker threads, each serving one connection at a time")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--header-timeout", args->header_timeout, "seconds a request head may take from its first byte")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--idle-timeout", args->idle_timeout, "seconds a connection may wait for its next request")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--io-timeout", args->io_timeout, "seconds each body read or write may take")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--grace", args->grace, "seconds responses in flight may take to finish after SIGINT or SIGTERM")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--max-body", args->max_body, "the largest PUT body (4096, 64k, 1M)")->capture_default_str();
  cmd->callback([args, status] { *status = run_serve(*args); });
}

}  // namespace avio::tools
