#!/usr/bin/env bash
# Builds the URL tests with ThreadSanitizer and runs the threaded ones
# (async's reader thread, interrupts raised from another thread, udp's
# receive thread).
# usage: tests/url/run_tsan.sh [BUILD_DIR]   (default: build-tsan)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-tsan}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DAVIO_SANITIZE=thread >/dev/null
ninja -C "$build" -j2 avio_url_tests avio_url_c_api_tests avio_udp_tests avio_net_tests avio_s3_tests \
  avio_remote_parts_tests avio_block_cache_tests
TSAN_OPTIONS=halt_on_error=1 "$build"/tests/url/avio_url_tests --gtest_filter='Async*:Interrupt*:RetryRules*:OpenInterrupt*:Wait*:ReadAt*:Listen*'
TSAN_OPTIONS=halt_on_error=1 "$build"/tests/url/avio_url_c_api_tests --gtest_filter='*Interrupt*:*RwTimeout*'
TSAN_OPTIONS=halt_on_error=1 "$build"/tests/net/avio_udp_tests
# tcp and unix: name lookups on a thread, accept with a client thread, the
# 200-client load. (tls is left out: OpenSSL is not built with TSan, so its
# internal locking is invisible to it.)
TSAN_OPTIONS=halt_on_error=1 "$build"/tests/net/avio_net_tests --gtest_filter='Tcp*:Unix*'
# s3: multipart parts uploaded on worker threads while the writer goes on,
# an abort after an interrupt (plain http to s3rver, no tls).
TSAN_OPTIONS=halt_on_error=1 "$build"/tests/net/s3/avio_s3_tests \
  --gtest_filter='S3.SinglePut*:S3.AFailedMultipart*:S3.AnInterrupted*:S3.AConnectionCut*'
# The block cache: claims, merged waits and eviction from many threads;
# pieces fetched on threads of their own over plain http to nginx, eight
# readers on one context, a cancelled fetch.
TSAN_OPTIONS=halt_on_error=1 "$build"/tests/url/avio_remote_parts_tests
TSAN_OPTIONS=halt_on_error=1 "$build"/tests/net/http/avio_block_cache_tests
