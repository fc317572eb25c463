// avio decode-audio INPUT OUTPUT: the seed example as a tool. The input is
// served to FFmpeg through avio (from memory, as a stream, or as a seekable
// URL), decoded, converted, and written as WAV or raw PCM through avio.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audio_decoder.hpp"
#include "avio/ffmpeg/io_bridge.hpp"
#include "avio/io_context.hpp"
#include "avio/url.hpp"
#include "command.hpp"
#include "endpoints.hpp"
#include "input_ends.hpp"
#include "interrupt.hpp"
#include "pcm_writer.hpp"
#include "progress_bar.hpp"

extern "C" {
#include <libavformat/avio.h>
}

namespace avio::tools {

namespace {

constexpr std::string_view kCommand = "decode-audio";

struct DecodeArgs {
  std::string input;
  std::string output;
  std::string mode = "auto";
  std::string sample_format = "s16";
  std::string container = "wav";
  int rate = 0;
  int channels = 0;
  OptionList input_options;
  OptionList output_options;
  bool quiet = false;
  bool no_cache = false;
  bool verbose = false;
};

// The whole input in memory; the memory I/O callbacks serve it to FFmpeg.
struct MemoryInput {
  std::vector<uint8_t> bytes;
  size_t pos = 0;

  Callbacks callbacks() {
    Callbacks cb;
    cb.read = [this](std::span<uint8_t> dst) -> Result<size_t> {
      if (pos >= bytes.size()) return Error::eof();  // never 0: that would mean "try again"
      const size_t n = std::min(dst.size(), bytes.size() - pos);
      std::memcpy(dst.data(), bytes.data() + pos, n);
      pos += n;
      return n;
    };
    cb.seek = [this](int64_t offset, Whence whence) -> Result<int64_t> {
      int64_t base = 0;
      if (whence == Whence::kCur) base = static_cast<int64_t>(pos);
      if (whence == Whence::kEnd) base = static_cast<int64_t>(bytes.size());
      const int64_t target = base + offset;
      if (target < 0) return Error::invalid_argument("seek before the start of the memory input");
      pos = static_cast<size_t>(std::min<int64_t>(target, static_cast<int64_t>(bytes.size())));
      return target;
    };
    cb.size = [this]() -> Result<int64_t> { return static_cast<int64_t>(bytes.size()); };
    return cb;
  }
};

// Memory mode holds the whole input; past this, use --mode stream or url
// (it also keeps an endless input such as /dev/zero from eating the memory).
constexpr size_t kMemoryModeLimit = size_t{1} << 30;

Result<std::vector<uint8_t>> read_all(IOContext &in) {
  std::vector<uint8_t> bytes;
  if (Result<int64_t> size = in.size(); size && *size > 0 && static_cast<size_t>(*size) <= kMemoryModeLimit)
    bytes.reserve(static_cast<size_t>(*size));
  std::vector<uint8_t> block(1 << 16);
  for (;;) {
    Result<size_t> n = in.read_partial(block);
    if (!n) {
      if (n.error().is_eof()) return bytes;
      return n.error();
    }
    bytes.insert(bytes.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(*n));
    if (bytes.size() > kMemoryModeLimit)
      return Error(-EFBIG, "over 1 GiB, too large for memory mode (use --mode stream or url)");
  }
}

Result<SampleFormat> parse_sample_format(std::string_view name) {
  if (name == "s16") return SampleFormat::kS16;
  if (name == "s32") return SampleFormat::kS32;
  if (name == "flt") return SampleFormat::kFloat;
  return Error::invalid_argument("unknown sample format '" + std::string(name) + "' (use s16, s32 or flt)");
}

std::string duration_text(int64_t us) {
  if (us < 0) return "unknown";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", static_cast<double>(us) / 1e6);
  return text;
}

// The checks libavformat does not make: a complete Ogg stream ends with an
// end-of-stream page; an MP3 holds the frames its Xing header counts (which
// FFmpeg checks itself only when it can seek to learn the file's size).
Status check_ends(const InputEnds &ends, const SourceInfo &info, int64_t decoded) {
  if (info.container == "ogg") {
    if (std::span<const uint8_t> end = ends.end_of_input(); !end.empty()) return ogg_end_status(end);
  }
  if (info.container == "mp3" && info.expected_samples < 0) {
    if (std::optional<Mp3StatedLength> stated = mp3_stated_length(ends.start_of_input())) {
      // A whole frame missing is truncation; less is padding FFmpeg may keep.
      if (decoded + stated->samples_per_frame <= stated->decoded_samples())
        return Error(kInvalidData, "truncated: the MP3 header counts " + std::to_string(stated->frames) + " frames (" +
                                       std::to_string(stated->decoded_samples()) +
                                       " samples per channel), the data holds " + std::to_string(decoded));
    }
  }
  return {};
}

void print_summary(std::FILE *out, const DecodeArgs &args, const SourceInfo &info, const PcmFormat &pcm,
                   int64_t samples, int64_t pcm_bytes, int64_t bytes_in, double seconds) {
  std::fprintf(out, "input:     %s (%s mode)\n", args.input.c_str(), args.mode.c_str());
  std::fprintf(out, "container: %s (%s)\n", info.container.c_str(), info.container_long.c_str());
  // The layout's name when it has one ("stereo"), the count otherwise.
  const std::string channels = std::to_string(info.channels) + (info.channels == 1 ? " channel" : " channels");
  const std::string layout = info.channel_layout == channels ? channels : channels + " (" + info.channel_layout + ")";
  std::fprintf(out, "codec:     %s, %d Hz, %s, %s\n", info.codec.c_str(), info.sample_rate, layout.c_str(),
               info.sample_format.c_str());
  std::fprintf(out, "duration:  %s\n", duration_text(info.duration_us).c_str());
  std::fprintf(out, "output:    %s (%s, %s, %d Hz, %d channel%s)\n", args.output.c_str(), args.container.c_str(),
               sample_format_name(pcm.format), pcm.sample_rate, pcm.channels, pcm.channels == 1 ? "" : "s");
  std::fprintf(out, "samples:   %lld per channel (%lld bytes of PCM)\n", static_cast<long long>(samples),
               static_cast<long long>(pcm_bytes));
  std::fprintf(out, "read:      %lld bytes from the input\n", static_cast<long long>(bytes_in));
  std::fprintf(out, "time:      %.3f s\n", seconds);
}

// --mode auto: url where the input reads through the block cache, since a
// demuxer's seeks then cost no round trip once the blocks are in and the
// index tells the cache what to fetch; memory everywhere else (a local
// file, a pipe, an input read without the cache), the seed example's way.
std::string resolved_mode(const std::string &mode, IOContext &source) {
  if (mode != "auto") return mode;
  return reads_through_block_cache(source) ? "url" : "memory";
}

int run(DecodeArgs args) {
  const auto started = std::chrono::steady_clock::now();

  Result<SampleFormat> format = parse_sample_format(args.sample_format);
  if (!format) return report(kCommand, "--sample-fmt", format.error());
  const PcmContainer container = args.container == "raw" ? PcmContainer::kRaw : PcmContainer::kWav;

  // ---- the input, as FFmpeg will see it
  Result<IOContext> source = open_input(args.input, args.input_options, !args.no_cache);
  if (!source) return report(kCommand, args.input, source.error());
  args.mode = resolved_mode(args.mode, *source);
  const bool memory = args.mode == "memory";
  const bool stream = args.mode == "stream";
  MemoryInput memory_input;
  std::optional<IOContext> served;  // memory mode: the context over the callbacks
  if (memory) {
    Result<std::vector<uint8_t>> bytes = read_all(*source);
    if (!bytes) return report(kCommand, args.input, bytes.error());
    memory_input.bytes = std::move(*bytes);
    Result<IOContext> io = IOContext::from_callbacks(memory_input.callbacks(), {});
    if (!io) return report(kCommand, args.input, io.error());
    served.emplace(std::move(*io));
  }
  IOContext &input = served ? *served : *source;  // served: memory mode
  // FFmpeg reads through an InputEnds, which keeps the last bytes for the
  // end-of-stream checks libavformat does not make.
  Result<std::unique_ptr<InputEnds>> ends = InputEnds::over(input);
  if (!ends) return report(kCommand, args.input, ends.error());
  ffmpeg::BridgeOptions bridge_options;
  bridge_options.seekable = !stream;
  Result<ffmpeg::IOBridge> bridge = ffmpeg::IOBridge::reader((*ends)->io(), bridge_options);
  if (!bridge) return report(kCommand, args.input, bridge.error());

  const ffmpeg::IOBridge &b = *bridge;
  // In url mode the demuxer's index reaches the URL's reader (the block
  // cache fetches the audio's ranges together).
  AudioDecoder::WillRead will_read;
  if (!memory && !stream)
    will_read = [&source](std::span<const ByteRange> ranges) { (void)avio::will_read(*source, ranges); };
  Result<AudioDecoder> decoder = AudioDecoder::open(
      bridge->get(), [&b](int code, std::string_view context) { return b.error_from(code, context); }, will_read);
  if (!decoder) return report(kCommand, args.input, decoder.error());
  const SourceInfo &info = decoder->source();
  Result<PcmFormat> pcm = decoder->configure({*format, args.rate, args.channels});
  if (!pcm) return report(kCommand, args.input, pcm.error());

  // ---- the output, opened only once the input is known to be audio
  Result<Output> output = Output::open(args.output, args.output_options);
  if (!output) return report(kCommand, args.output, output.error());
  Result<PcmWriter> writer = PcmWriter::start(output->io(), container, *pcm);
  if (!writer) {
    output->discard();
    return report(kCommand, args.output, writer.error());
  }

  int64_t total = -1;
  if (Result<int64_t> size = input.size(); size) total = *size;
  ProgressBar bar(!args.quiet && stderr_is_terminal(), "decoding", total);
  AVIOContext *pb = bridge->get();
  bool output_failed = false;
  Status decoded = decoder->run(
      [&](std::span<const uint8_t> bytes) -> Status {
        // Memory I/O never blocks, so the decode loop is where Ctrl-C is seen.
        if (interrupt_requested()) return Error(kExit, "interrupted");
        Status st = writer->write(bytes);
        if (!st) output_failed = true;
        return st;
      },
      [&] { bar.update(avio_tell(pb)); });
  if (decoded) decoded = check_ends(**ends, info, decoder->samples_decoded());
  if (decoded) {
    bar.update(total >= 0 ? total : avio_tell(pb));
    if (Status st = writer->finish(); !st) {
      decoded = st;
      output_failed = true;
    }
  }
  if (decoded) {
    if (Status st = output->commit(); !st) {
      decoded = st;
      output_failed = true;
    }
  }
  if (!decoded) {
    bar.clear();
    output->discard();
    return report(kCommand, output_failed ? args.output : args.input, decoded.error());
  }
  bar.finish();

  if (!args.quiet) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // With the PCM on stdout, the summary goes to stderr.
    print_summary(output->is_stdout() ? stderr : stdout, args, info, *pcm, decoder->samples_written(),
                  writer->data_bytes(), source->statistics().bytes_read, seconds);
  }
  if (args.verbose) print_remote_reads(kCommand, args.input, *source);
  return 0;
}

}  // namespace

void add_decode_audio(CLI::App &app, int *status) {
  auto args = std::make_shared<DecodeArgs>();
  CLI::App *cmd = app.add_subcommand(
      "decode-audio",
      "Decode the audio of INPUT to PCM (WAV or raw) in OUTPUT; both may be any avio URL, - for stdin/stdout");
  cmd->add_option("INPUT", args->input, "the media to decode (any avio URL, - for stdin)")->required();
  cmd->add_option("OUTPUT", args->output, "where the PCM goes (any avio URL, - for stdout)")->required();
  cmd->add_option("--mode", args->mode,
                  "how FFmpeg reads INPUT: memory (loaded whole, served by memory I/O callbacks), "
                  "stream (read callback only, no seek), url (the bridge over a seekable avio context), "
                  "auto (url for an http, https or s3 INPUT read through the block cache, memory otherwise)")
      ->check(CLI::IsMember({"auto", "memory", "stream", "url"}))
      ->capture_default_str();
  cmd->add_option("--sample-fmt", args->sample_format, "output sample format")
      ->check(CLI::IsMember({"s16", "s32", "flt"}))
      ->capture_default_str();
  cmd->add_option("--rate", args->rate, "output sample rate in Hz (default: the source's)")
      ->check(CLI::Range(1, 768000));
  cmd->add_option("--channels", args->channels, "output channel count (default: the source's)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--format", args->container, "output container")
      ->check(CLI::IsMember({"wav", "raw"}))
      ->capture_default_str();
  cmd->add_option("-o,--input-option", args->input_options, "protocol option for INPUT, KEY=VALUE (repeatable)");
  cmd->add_option("-O,--output-option", args->output_options, "protocol option for OUTPUT, KEY=VALUE (repeatable)");
  cmd->add_flag("-q,--quiet", args->quiet, "print nothing but errors");
  cmd->add_flag("--no-cache", args->no_cache, "read an http, https or s3 INPUT without the block cache");
  cmd->add_flag("-v,--verbose", args->verbose, "print what a remote INPUT cost (requests, bytes, cache)");
  cmd->callback([args, status] { *status = run(*args); });
}

}  // namespace avio::tools
