// Units of the avio tool that are worth checking apart from the binary:
// the progress line, the WAV header, and the Ogg end-of-stream check.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "input_ends.hpp"
#include "pcm_writer.hpp"
#include "progress_bar.hpp"

namespace avio::tools {
namespace {

uint32_t rl32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }
uint16_t rl16(const uint8_t *p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }

TEST(ProgressBar, ShowsBarPercentBytesRateAndTimeLeft) {
  ProgressBar bar(false, "copy", 1000);
  const std::string line = bar.render(250, 1.0);
  EXPECT_NE(line.find("copy ["), std::string::npos) << line;
  EXPECT_NE(line.find("=======>"), std::string::npos) << line;  // 30 * 0.25 = 7 cells filled
  EXPECT_NE(line.find(" 25% "), std::string::npos) << line;
  EXPECT_NE(line.find("250 B / 1000 B"), std::string::npos) << line;
  EXPECT_NE(line.find("250 B/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:03"), std::string::npos) << line;  // 750 B left at 250 B/s
}

TEST(ProgressBar, FinishedAndUnknownTotals) {
  ProgressBar done(false, "", 2048);
  const std::string line = done.render(2048, 2.0);
  EXPECT_NE(line.find("100%"), std::string::npos) << line;
  EXPECT_NE(line.find("in 0:02"), std::string::npos) << line;
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
  ProgressBar unknown(false, "", -1);
  const std::string streaming = unknown.render(3 << 20, 2.0);
  EXPECT_EQ(streaming.find('%'), std::string::npos) << streaming;
  EXPECT_NE(streaming.find("3.0 MiB  1.5 MiB/s"), std::string::npos) << streaming;
}

TEST(ProgressBar, DrawsNothingWhenDisabled) {
  std::FILE *out = std::tmpfile();
  {
    ProgressBar bar(false, "x", 10, out);
    bar.update(5);
    bar.finish();
  }
  EXPECT_EQ(std::ftell(out), 0);
  std::fclose(out);
}

TEST(ProgressBar, HumanBytes) {
  EXPECT_EQ(ProgressBar::human_bytes(0), "0 B");
  EXPECT_EQ(ProgressBar::human_bytes(1023), "1023 B");
  EXPECT_EQ(ProgressBar::human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(ProgressBar::human_bytes(5.0 * (1 << 30)), "5.0 GiB");
}

std::vector<uint8_t> write_wav(const PcmFormat &format, int frames, bool seekable) {
  std::vector<uint8_t> bytes;
  Result<IOContext> sink = [&]() -> Result<IOContext> {
    if (seekable) return IOContext::dynamic_buffer();
    Callbacks cb;  // a pipe: write only
    cb.write = [&bytes](std::span<const uint8_t> src) -> Status {
      bytes.insert(bytes.end(), src.begin(), src.end());
      return {};
    };
    ContextOptions options;
    options.write = true;
    return IOContext::from_callbacks(std::move(cb), options);
  }();
  EXPECT_TRUE(sink);
  Result<PcmWriter> writer = PcmWriter::start(*sink, PcmContainer::kWav, format);
  EXPECT_TRUE(writer);
  const std::vector<uint8_t> pcm(static_cast<size_t>(frames * format.frame_bytes()), 0x11);
  EXPECT_TRUE(writer->write(pcm));
  EXPECT_TRUE(writer->finish());
  EXPECT_EQ(writer->header_patched(), seekable);
  if (seekable) {
    Result<PaddedBytes> data = sink->close_dynamic_buffer();
    EXPECT_TRUE(data);
    return std::vector<uint8_t>(data->data(), data->data() + data->size());
  }
  EXPECT_TRUE(sink->close());
  return bytes;
}

TEST(PcmWriter, PatchesTheWavHeaderWhenTheOutputCanSeek) {
  const std::vector<uint8_t> wav = write_wav({SampleFormat::kS16, 44100, 2, 0}, 1000, true);
  ASSERT_EQ(wav.size(), 44u + 4000u);
  EXPECT_EQ(std::memcmp(wav.data(), "RIFF", 4), 0);
  EXPECT_EQ(rl32(&wav[4]), wav.size() - 8);
  EXPECT_EQ(std::memcmp(&wav[8], "WAVEfmt ", 8), 0);
  EXPECT_EQ(rl32(&wav[16]), 16u);
  EXPECT_EQ(rl16(&wav[20]), 1);  // PCM
  EXPECT_EQ(rl16(&wav[22]), 2);
  EXPECT_EQ(rl32(&wav[24]), 44100u);
  EXPECT_EQ(rl32(&wav[28]), 44100u * 4);
  EXPECT_EQ(rl16(&wav[32]), 4);
  EXPECT_EQ(rl16(&wav[34]), 16);
  EXPECT_EQ(std::memcmp(&wav[36], "data", 4), 0);
  EXPECT_EQ(rl32(&wav[40]), 4000u);
}

TEST(PcmWriter, AStreamKeepsTheUnknownLengthMarkers) {
  const std::vector<uint8_t> wav = write_wav({SampleFormat::kS16, 8000, 1, 0}, 10, false);
  ASSERT_EQ(wav.size(), 44u + 20u);
  EXPECT_EQ(rl32(&wav[4]), 0xFFFFFFFFu);
  EXPECT_EQ(rl32(&wav[40]), 0xFFFFFFFFu);
}

TEST(PcmWriter, FloatAndManyChannelsUseTheExtensibleHeader) {
  const std::vector<uint8_t> wav = write_wav({SampleFormat::kFloat, 48000, 6, 0x3F}, 10, true);
  ASSERT_EQ(wav.size(), 68u + 240u);
  EXPECT_EQ(rl32(&wav[16]), 40u);
  EXPECT_EQ(rl16(&wav[20]), 0xFFFE);
  EXPECT_EQ(rl16(&wav[34]), 32);
  EXPECT_EQ(rl16(&wav[36]), 22);
  EXPECT_EQ(rl32(&wav[40]), 0x3Fu);  // the channel mask
  EXPECT_EQ(rl16(&wav[44]), 3);      // the IEEE float sub-format
  EXPECT_EQ(std::memcmp(&wav[60], "data", 4), 0);
  EXPECT_EQ(rl32(&wav[64]), 240u);
}

// An Ogg page: header, one lacing value per 255 bytes of body, body.
std::vector<uint8_t> ogg_page(size_t body, bool end_of_stream) {
  std::vector<uint8_t> page = {'O', 'g', 'g', 'S', 0, static_cast<uint8_t>(end_of_stream ? 4 : 0)};
  page.resize(26, 0);
  std::vector<uint8_t> lacing;
  size_t left = body;
  do {
    lacing.push_back(static_cast<uint8_t>(std::min<size_t>(left, 255)));
    left -= lacing.back();
  } while (lacing.back() == 255);
  page.push_back(static_cast<uint8_t>(lacing.size()));
  page.insert(page.end(), lacing.begin(), lacing.end());
  page.resize(page.size() + body, 0x42);
  return page;
}

TEST(OggEnd, ACompleteStreamEndsWithAnEndOfStreamPage) {
  std::vector<uint8_t> stream = ogg_page(3000, false);
  const std::vector<uint8_t> last = ogg_page(700, true);
  stream.insert(stream.end(), last.begin(), last.end());
  EXPECT_TRUE(ogg_end_status(stream));
}

TEST(OggEnd, CutsAreReported) {
  std::vector<uint8_t> stream = ogg_page(3000, false);
  const std::vector<uint8_t> last = ogg_page(700, true);
  // Cut at a page boundary: the last page does not end the stream.
  Status at_boundary = ogg_end_status(stream);
  ASSERT_FALSE(at_boundary);
  EXPECT_NE(std::string(at_boundary.error().detail()).find("end-of-stream"), std::string::npos);
  // Cut inside the last page.
  stream.insert(stream.end(), last.begin(), last.end() - 100);
  Status inside = ogg_end_status(stream);
  ASSERT_FALSE(inside);
  EXPECT_NE(std::string(inside.error().detail()).find("inside an Ogg page"), std::string::npos);
  // Nothing that looks like Ogg.
  EXPECT_FALSE(ogg_end_status(std::vector<uint8_t>(100, 0)));
}

// The first frame of a LAME-encoded MPEG-1 stereo MP3: header, side
// information, the Xing tag with every field, the LAME tag.
std::vector<uint8_t> lame_first_frame(uint32_t frames, int start_pad, int end_pad) {
  std::vector<uint8_t> f = {0xFF, 0xFB, 0x90, 0x64};
  f.resize(4 + 32, 0);
  const char xing[] = "Xing";
  f.insert(f.end(), xing, xing + 4);
  const auto be32 = [&f](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) f.push_back(static_cast<uint8_t>(v >> shift));
  };
  be32(0x0F);  // frames, bytes, seek table, quality
  be32(frames);
  be32(123456);                 // bytes
  f.resize(f.size() + 100, 0);  // seek table
  be32(50);                     // quality
  const char lame[] = "LAME3.100";
  f.insert(f.end(), lame, lame + 9);
  f.resize(f.size() + 12, 0);  // revision .. bitrate
  const uint32_t pads = static_cast<uint32_t>(start_pad) << 12 | static_cast<uint32_t>(end_pad);
  f.push_back(static_cast<uint8_t>(pads >> 16));
  f.push_back(static_cast<uint8_t>(pads >> 8));
  f.push_back(static_cast<uint8_t>(pads));
  f.resize(417, 0);
  return f;
}

TEST(Mp3StatedLength, ReadsTheXingAndLameTags) {
  std::optional<Mp3StatedLength> length = mp3_stated_length(lame_first_frame(116, 576, 756));
  ASSERT_TRUE(length);
  EXPECT_EQ(length->frames, 116);
  EXPECT_EQ(length->samples_per_frame, 1152);
  EXPECT_EQ(length->start_padding, 576);
  EXPECT_EQ(length->end_padding, 756);
  EXPECT_EQ(length->decoded_samples(), 116 * 1152 - 576 - 529);
}

TEST(Mp3StatedLength, SkipsAnId3v2TagAndRejectsOtherData) {
  std::vector<uint8_t> tagged = {'I', 'D', '3', 4, 0, 0, 0, 0, 0x01, 0x00};  // 128 bytes of tag
  tagged.resize(10 + 128, 0);
  const std::vector<uint8_t> frame = lame_first_frame(10, 0, 0);
  tagged.insert(tagged.end(), frame.begin(), frame.end());
  std::optional<Mp3StatedLength> length = mp3_stated_length(tagged);
  ASSERT_TRUE(length);
  EXPECT_EQ(length->frames, 10);
  EXPECT_FALSE(mp3_stated_length(std::vector<uint8_t>(500, 0)));
  std::vector<uint8_t> no_xing = frame;
  no_xing[36] = 'Y';
  EXPECT_FALSE(mp3_stated_length(no_xing));
  EXPECT_FALSE(mp3_stated_length(std::span<const uint8_t>(frame).first(20)));
}

TEST(InputEnds, KeepsTheStartOfAStreamReadThroughIt) {
  std::vector<uint8_t> data(5000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i % 253);
  IOContext source = IOContext::from_memory(data);
  Result<std::unique_ptr<InputEnds>> ends = InputEnds::over(source, 1000);
  ASSERT_TRUE(ends);
  std::vector<uint8_t> block(300);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*ends)->io().read(block));
  const std::span<const uint8_t> start = (*ends)->start_of_input();
  ASSERT_EQ(start.size(), 1000u);
  EXPECT_TRUE(std::equal(start.begin(), start.end(), data.begin()));
}

TEST(InputEnds, KeepsTheEndOfAStreamReadThroughIt) {
  std::vector<uint8_t> data(300000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i % 251);
  IOContext source = IOContext::from_memory(data);
  Result<std::unique_ptr<InputEnds>> tail = InputEnds::over(source, 1000);
  ASSERT_TRUE(tail);
  std::vector<uint8_t> block(7000);
  EXPECT_TRUE((*tail)->end_of_input().empty());
  for (;;) {
    Result<size_t> n = (*tail)->io().read(block);
    if (!n || *n < block.size()) break;
  }
  (void)(*tail)->io().r8();  // make sure EOF was met
  const std::span<const uint8_t> end = (*tail)->end_of_input();
  ASSERT_EQ(end.size(), 1000u);
  EXPECT_TRUE(std::equal(end.begin(), end.end(), data.end() - 1000));
}

}  // namespace
}  // namespace avio::tools
