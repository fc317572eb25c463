#!/bin/sh
# Builds the fuzzers (clang++-16, libFuzzer + ASan + UBSan) in their own
# build directory and runs each for a bounded time: the differential engine
# fuzzer, then the HTTP message parser (response and request heads, request
# paths, chunked bodies) for a quarter as long, the http protocol's pure
# parts (URLs and redirects, cookies, gzip/deflate and ICY bodies,
# multipart/byteranges bodies) for an eighth as long each, the s3 XML
# reader for an eighth as long, and the URL parser fuzzer for half as long.
#
#   fuzz/run.sh [seconds]            default 60
#
# Environment: AVIO_FUZZ_BUILD_DIR (default <repo>/build-fuzz). Exits
# non-zero when the fuzzer
# finds a crash or a divergence; the input is saved in the build directory as
# crash-* (rerun: <build>/fuzz/avio_diff_fuzzer crash-...).
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AVIO_FUZZ_BUILD_DIR:-$root/build-fuzz}

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16 \
  -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link \
  -DAVIO_SANITIZE=address,undefined \
  -DAVIO_BUILD_FUZZERS=ON -DAVIO_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" -j2 avio_diff_fuzzer avio_url_fuzzer avio_http_message_fuzzer \
  avio_http_url_fuzzer avio_http_cookie_fuzzer avio_http_body_fuzzer avio_http_byteranges_fuzzer \
  avio_s3_xml_fuzzer

corpus="$build/fuzz-corpus"
mkdir -p "$corpus" "$build/url-corpus"
cd "$build"
# libFuzzer exits non-zero on a crash, a sanitizer report or an abort().
"$build/fuzz/avio_diff_fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
  -max_len=8192 -print_final_stats=1 "$corpus"
# Seeds: URLs of every shape the protocols take.
for u in 'tcp://127.0.0.1:9000?listen=1&tcp_nodelay=1' 'tls://[::1]:443/x?verify=0' 'udp://h:1234?pkt_size=188' \
  'subfile,,start,10,end,20,,:file:a' 'crypto+file:/x' 'unix:/tmp/s' 'concat:a|b' 'data:text/plain;base64,QUJD'; do
  printf '%s' "$u" > "$build/url-corpus/seed-$(printf '%s' "$u" | cksum | cut -d' ' -f1)"
done
# Seeds: a response head with a chunked body.
mkdir -p "$build/http-corpus"
printf 'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-3/9\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n0\r\nT: v\r\n\r\n' \
  > "$build/http-corpus/seed-head-chunked"
"$build/fuzz/avio_http_message_fuzzer" -max_total_time="$(( (seconds + 3) / 4 ))" -timeout=10 -rss_limit_mb=4096 \
  -max_len=4096 -print_final_stats=1 "$build/http-corpus"
# Seeds: a URL, and a base URL whose second half is a Location to resolve.
mkdir -p "$build/http-url-corpus" "$build/http-cookie-corpus" "$build/http-body-corpus" "$build/http-byteranges-corpus"
printf 'https://u:p@Example.com:8443/a b/c?d=e#f' > "$build/http-url-corpus/seed-url"
printf 'http://h/a/b../c?d#e/f/g' > "$build/http-url-corpus/seed-base-location"
# Seeds: a cookies option, whose lines are also Set-Cookie headers.
printf 'a=1; Path=/; Domain=example.com; Expires=Thu, 01 Jan 2037 00:00:00 GMT; Secure\nb=2; Max-Age=60\nc=3; Domain=www.example.com; HostOnly\n' \
  > "$build/http-cookie-corpus/seed-option"
# Seeds: a gzip body (two members) and an ICY stream.
{ printf 'a gzip member\n' | gzip -c; printf 'and another\n' | gzip -c; } > "$build/http-body-corpus/seed-gzip"
printf 'x\001StreamTitle=\047A\047;\000\000audio' > "$build/http-body-corpus/seed-icy"
# Seeds: a multipart/byteranges body as nginx sends it (boundary "B"), and a
# Content-Type with a quoted boundary.
printf '\r\n--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-3/10\r\n\r\nabcd\r\n--B\r\nContent-Range: bytes 6-9/10\r\n\r\nghij\r\n--B--\r\n' \
  > "$build/http-byteranges-corpus/seed-nginx"
printf 'multipart/byteranges; charset=x; boundary="a b:c"' > "$build/http-byteranges-corpus/seed-type"
for part in url cookie body byteranges; do
  "$build/fuzz/avio_http_${part}_fuzzer" -max_total_time="$(( (seconds + 7) / 8 ))" -timeout=10 -rss_limit_mb=4096 \
    -max_len=4096 -print_final_stats=1 "$build/http-${part}-corpus"
done
# Seeds: S3's answers (a listing, an error), for the s3 XML reader.
mkdir -p "$build/s3-xml-corpus"
printf '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><KeyCount>1</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>t/1=</NextContinuationToken><EncodingType>url</EncodingType><Contents><Key>a+b%%2Fc</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;x&quot;</ETag><Size>434234</Size></Contents><CommonPrefixes><Prefix><![CDATA[p/]]></Prefix></CommonPrefixes></ListBucketResult>' \
  > "$build/s3-xml-corpus/seed-list"
printf '  \n<?xml version="1.0"?><!-- c --><Error><Code>RequestTimeTooSkewed</Code><Message>&#233;</Message><ServerTime>2024-01-02T03:25:07Z</ServerTime><RequestId>R</RequestId></Error>' \
  > "$build/s3-xml-corpus/seed-error"
"$build/fuzz/avio_s3_xml_fuzzer" -max_total_time="$(( (seconds + 7) / 8 ))" -timeout=10 -rss_limit_mb=4096 \
  -max_len=4096 -print_final_stats=1 "$build/s3-xml-corpus"
exec "$build/fuzz/avio_url_fuzzer" -max_total_time="$(( (seconds + 1) / 2 ))" -timeout=10 -rss_limit_mb=4096 \
  -max_len=4096 -print_final_stats=1 "$build/url-corpus"
