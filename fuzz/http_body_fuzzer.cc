// The http protocol's body decoders: Content-Encoding (BodyDecoder, over
// zlib) and ICY metadata (IcyDemuxer), src/url/protocols/http/. The input is
// decoded as a gzip and a deflate body, whole and split at a point its first
// byte picks through a small output buffer, and both feedings must agree; it
// is also compressed with zlib (gzip, zlib, raw deflate) and must decode back
// to itself; and it is demuxed as an ICY stream whole and split, which must
// agree too. Aborts on a broken invariant; the sanitizers catch the rest.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/http/icy.hpp"
#include "protocols/http/inflate.hpp"

namespace {

namespace http = avio::protocols::http;
using Bytes = std::vector<uint8_t>;

void check(bool ok) {
  if (!ok) std::abort();
}

struct Decoded {
  Bytes out;
  bool ok = true;
  bool done = false;
};

// One decode call; appends the output. Returns the bytes consumed, or
// SIZE_MAX after an error.
template <class Decoder>
size_t step(Decoder *d, std::span<const uint8_t> in, std::span<uint8_t> buf, Decoded *r) {
  size_t consumed = 0;
  auto n = d->decode(in, &consumed, buf);
  if (!n.ok()) {
    check(n.error().code() < 0 && !n.error().detail().empty());
    r->ok = false;
    return SIZE_MAX;
  }
  check(consumed <= in.size() && *n <= buf.size());
  check(in.empty() || buf.empty() || consumed > 0 || *n > 0);  // progress
  r->out.insert(r->out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
  return consumed;
}

// Feeds `pieces` in order through an output buffer of `out_size` bytes, then
// drains what the decoder still holds.
template <class Decoder>
Decoded feed(Decoder *d, const std::vector<std::span<const uint8_t>> &pieces, size_t out_size) {
  Decoded r;
  Bytes buf(out_size);
  for (std::span<const uint8_t> in : pieces) {
    while (!in.empty()) {
      const size_t used = step(d, in, buf, &r);
      if (used == SIZE_MAX) return r;
      in = in.subspan(used);
    }
  }
  for (size_t before = SIZE_MAX; before != r.out.size();) {
    before = r.out.size();
    if (step(d, {}, buf, &r) == SIZE_MAX) return r;
  }
  return r;
}

Decoded decode_body(std::string_view coding, const std::vector<std::span<const uint8_t>> &pieces, size_t out_size) {
  auto d = http::BodyDecoder::for_encoding(coding);
  check(d.ok());
  Decoded r = feed(&*d, pieces, out_size);
  r.done = d->done();
  return r;
}

// The input as a compressed body: whole, and split in two.
void check_as_body(std::string_view coding, std::span<const uint8_t> all, size_t cut, size_t out_size) {
  const Decoded whole = decode_body(coding, {all}, 65536);
  const Decoded split = decode_body(coding, {all.subspan(0, cut), all.subspan(cut)}, out_size);
  check(whole.ok == split.ok);
  if (whole.ok) check(whole.out == split.out && whole.done == split.done);
}

Bytes compress(std::span<const uint8_t> data, int window_bits) {
  z_stream z{};
  check(deflateInit2(&z, 1, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  Bytes out(deflateBound(&z, data.size()) + 32);
  z.next_in = const_cast<Bytef *>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  check(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// The input compressed by zlib decodes back to itself, however it is split.
void check_round_trip(std::span<const uint8_t> data, size_t cut_seed, size_t out_size) {
  for (const int bits : {31, 15, -15}) {
    const Bytes body = compress(data, bits);
    const size_t cut = cut_seed % (body.size() + 1);
    const std::span<const uint8_t> all(body);
    const Decoded r = decode_body(bits == 31 ? "gzip" : "deflate", {all.subspan(0, cut), all.subspan(cut)}, out_size);
    check(r.ok && r.done);
    check(r.out.size() == data.size() && std::equal(r.out.begin(), r.out.end(), data.begin()));
  }
}

struct IcyResult {
  Decoded decoded;
  std::string packet;
  int64_t blocks = 0;
};

IcyResult demux(int64_t metaint, const std::vector<std::span<const uint8_t>> &pieces, size_t out_size) {
  http::IcyDemuxer icy(metaint);
  IcyResult r;
  r.decoded = feed(&icy, pieces, out_size);
  r.packet = icy.metadata_packet();
  r.blocks = icy.metadata_blocks();
  check(r.decoded.ok);
  check(r.packet.find('\0') == std::string::npos && r.packet.size() <= size_t{255} * 16);
  check(icy.metadata_changed() == (r.blocks > 0));
  return r;
}

// The stream read as a whole buffer: metaint bytes of audio, a length byte,
// the block; a block cut short by the end does not count.
IcyResult icy_model(std::span<const uint8_t> s, size_t metaint) {
  IcyResult r;
  for (size_t i = 0; i < s.size();) {
    const size_t audio = std::min(metaint, s.size() - i);
    r.decoded.out.insert(r.decoded.out.end(), s.begin() + static_cast<std::ptrdiff_t>(i),
                         s.begin() + static_cast<std::ptrdiff_t>(i + audio));
    i += audio;
    if (i == s.size()) break;
    const size_t length = size_t{s[i++]} * 16;
    if (length > s.size() - i) break;
    if (length > 0) {
      const std::string block(reinterpret_cast<const char *>(s.data() + i), length);
      r.packet = block.substr(0, block.find('\0'));
      ++r.blocks;
    }
    i += length;
  }
  return r;
}

// The input as an ICY stream: whole, and split in two, as the model says.
void check_as_icy(std::span<const uint8_t> all, int64_t metaint, size_t cut, size_t out_size) {
  const IcyResult whole = demux(metaint, {all}, 65536);
  const IcyResult split = demux(metaint, {all.subspan(0, cut), all.subspan(cut)}, out_size);
  const IcyResult model = icy_model(all, static_cast<size_t>(metaint));
  check(whole.decoded.out == model.decoded.out && whole.packet == model.packet && whole.blocks == model.blocks);
  check(split.decoded.out == model.decoded.out && split.packet == model.packet && split.blocks == model.blocks);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::span<const uint8_t> all(data, size);
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  const size_t out_size = size == 0 ? 1 : 1 + data[size - 1] % 16;
  check_as_body("gzip", all, cut, out_size);
  check_as_body("deflate", all, cut, out_size);
  check_as_body("identity", all, cut, out_size);
  check_round_trip(all, size == 0 ? 0 : data[size / 2], out_size);
  const int64_t metaint = size < 2 ? 1 : 1 + data[1] % 48;
  check_as_icy(all, metaint, cut, out_size);
  return 0;
}
