// s3://bucket/key: objects on AWS S3 and S3-compatible stores, signed with
// SigV4 (s3_session.hpp has the requests, s3_config.hpp the configuration).
//
// Reading: the open sends one ranged GET (64 KiB) whose Content-Range gives
// the size and whose ETag pins the object: every later GET carries
// If-Match, so an object replaced while it is read is an error (412), never
// a splice of two versions. Sequential reads ask for ranges that double up
// to 8 MiB; a seek or read_at asks afresh. read_ranges merges the reads
// that overlap or touch and asks for each span with one ranged GET (S3
// answers a request for several ranges with the whole object), straight
// into the callers' buffers. Writing: the bytes are kept up to
// part_size; a smaller object is one PUT at close, a larger one a multipart
// upload whose parts go out as they fill (memory: one part). The object
// exists only once close succeeds: a failed upload is aborted, so no part
// stays behind. Directories list with ListObjectsV2 ("/" as delimiter);
// delete removes the object.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "../builtins.hpp"
#include "../http/range_header.hpp"
#include "digest.hpp"
#include "part_uploader.hpp"
#include "responses.hpp"
#include "s3_session.hpp"

namespace avio::protocols {

namespace {

using s3::Pairs;
using s3::S3Request;
using s3::S3Response;
using s3::S3Session;

constexpr int64_t kFirstRange = int64_t{64} * 1024;
constexpr int64_t kMaxRange = int64_t{8} << 20;
constexpr int64_t kAbortTimeoutUs = 5000000;

class S3Protocol final : public Protocol {
 public:
  Status open(UrlContext &h, const OpenRequest &request) override {
    Result<s3::S3Config> config = s3::resolve_config(h.options(), request.target, s3::process_config_sources());
    if (!config) return config.error();
    nested_options_ = request.options;
    session_ = std::make_unique<S3Session>(h.params(), std::move(*config), request.options);
    writing_ = (request.flags & kOpenWrite) != 0;
    if (writing_) return {};
    if (session_->config().key.empty()) return Error(-EISDIR, "s3: " + session_->config().display() + " is a bucket");
    // offset / end_offset as http's: where the stream starts and ends (a
    // block cache opens a connection with its first piece so).
    const int64_t offset = h.options().integer("offset");
    end_offset_ = h.options().integer("end_offset");
    const int64_t first = end_offset_ > offset ? end_offset_ - offset : kFirstRange;
    return get_at(offset, first, &request.options);
  }

  StreamProperties stream_properties() const override { return {.streamed = writing_}; }
  std::string object_version() const override { return etag_; }

  Result<size_t> read(UrlContext &, std::span<uint8_t> dst) override {
    if (writing_) return Error(-EIO, "s3: opened for writing");
    for (int round = 0; round < 3; ++round) {
      const int64_t end = end_offset_ > 0 ? std::min(size_, end_offset_) : size_;
      if (pos_ >= end) return Error::eof();
      if (!response_) {
        if (Status st = get_at(pos_, std::min(next_range_, end - pos_), nullptr); !st) return st.error();
        next_range_ = std::min(next_range_ * 2, kMaxRange);
        if (!response_) continue;  // a 416: the object ended early
      }
      Result<size_t> n =
          session_->read(*response_, dst.first(std::min<size_t>(dst.size(), static_cast<size_t>(end - pos_))));
      if (n) {
        pos_ += static_cast<int64_t>(*n);
        return n;
      }
      response_.reset();
      if (n.error().code() != kEof) return n.error();
    }
    return Error(-EIO, "s3: " + session_->config().display() + ": ranges ended before their length");
  }

  Result<int64_t> seek(UrlContext &, int64_t offset, int whence) override {
    if (writing_) return Error(-ENOSYS, "s3: cannot seek an upload");
    if (whence == kSeekSizeQuery) return size_;
    int64_t target = offset;
    if (whence == kSeekCur) target += pos_;
    if (whence == kSeekEnd) target += size_;
    if (target < 0) return Error(-EINVAL);
    if (target != pos_) {
      if (response_) session_->abandon(*response_);
      response_.reset();
      next_range_ = kFirstRange;
      pos_ = target;
    }
    return pos_;
  }

  Result<size_t> read_at(UrlContext &, int64_t offset, std::span<uint8_t> dst) override {
    if (writing_) return Error(-EIO, "s3: opened for writing");
    if (offset >= size_) return Error::eof();
    if (response_) session_->abandon(*response_);
    response_.reset();
    const int64_t length = std::min<int64_t>(static_cast<int64_t>(dst.size()), size_ - offset);
    Result<S3Response> r = session_->send(ranged_get(offset, length));
    if (!r) return replaced_or(r.error());
    if (Status st = check_version(r->head); !st) {
      session_->abandon(*r);
      return st.error();
    }
    size_t got = 0;
    while (got < static_cast<size_t>(length)) {
      Result<size_t> n = session_->read(*r, dst.subspan(got, static_cast<size_t>(length) - got));
      if (!n) return n.error().code() == kEof && got > 0 ? Result<size_t>(got) : n;
      got += *n;
    }
    session_->abandon(*r);
    return got;
  }

  // One ranged GET per span of merged reads, pinned as read_at's are.
  Status read_ranges(UrlContext &h, std::span<const ReadRequest> reads) override {
    if (writing_) return Error(-EIO, "s3: opened for writing");
    http::ReadPlan plan(reads, size_);
    if (plan.spans().empty()) return {};
    if (response_) session_->abandon(*response_);
    response_.reset();
    for (const http::ByteSpan &span : plan.spans()) {
      if (h.interrupted()) return h.interrupted_error();
      if (Status st = get_span(plan, span); !st) return st;
    }
    return {};
  }

  Result<size_t> write(UrlContext &h, std::span<const uint8_t> src) override {
    if (!writing_) return Error(-EIO, "s3: opened for reading");
    // A failed upload has been aborted: nothing more goes out, else a later
    // write would start another upload that no close completes or aborts.
    if (!failure_.ok()) return failure_.error();
    buffer_.insert(buffer_.end(), src.begin(), src.end());
    const size_t part = static_cast<size_t>(session_->config().part_size);
    // A part goes out once more than a part is held: an object of at most
    // one part stays a single PUT.
    while (buffer_.size() > part) {
      std::vector<uint8_t> next(buffer_.begin() + static_cast<long>(part), buffer_.end());
      buffer_.resize(part);
      std::swap(next, buffer_);
      if (Status st = send_part(h, std::move(next)); !st) return fail_upload(h, st).error();
    }
    return src.size();
  }

  Status close(UrlContext &h) override {
    // An upload that failed earlier is reported again: no object was made.
    Status st = failure_;
    if (writing_ && failure_.ok()) st = finish_upload(h);
    if (response_) session_->abandon(*response_);
    response_.reset();
    return st;
  }

  Status open_dir(UrlContext &h) override {
    if (Status st = ensure_session(h); !st) return st;
    max_keys_ = std::to_string(h.options().integer("max_keys"));
    prefix_ = session_->config().key;
    if (!prefix_.empty() && prefix_.back() != '/') prefix_ += '/';
    return list_page();
  }

  Result<bool> read_dir(UrlContext &, DirEntry &entry) override {
    while (next_entry_ >= entries_.size()) {
      if (token_.empty()) return false;
      if (Status st = list_page(); !st) return st.error();
    }
    entry = entries_[next_entry_++];
    return true;
  }

  Status remove(UrlContext &h) override {
    if (Status st = ensure_session(h); !st) return st;
    // "s3://bucket/" would be DeleteBucket: not what deleting a URL means.
    if (session_->config().key.empty())
      return Error(-EISDIR, "s3: " + session_->config().display() + " is a bucket, not an object");
    S3Request r{"DELETE", session_->config().key, {}, {}, {}, 0};
    Result<S3Response> answer = session_->send(r);
    if (!answer) return answer.error();
    session_->abandon(*answer);
    return {};
  }

 private:
  // Listing and deleting come without an open (avio_open_dir, avpriv's delete).
  Status ensure_session(UrlContext &h) {
    if (session_) return {};
    Result<s3::S3Config> config = s3::resolve_config(h.options(), h.target(), s3::process_config_sources());
    if (!config) return config.error();
    session_ = std::make_unique<S3Session>(h.params(), std::move(*config), Dictionary{});
    return {};
  }

  S3Request ranged_get(int64_t offset, int64_t length) const {
    S3Request r{"GET", session_->config().key, {}, {}, {}, 0};
    r.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
    if (!etag_.empty()) r.headers.emplace_back("If-Match", etag_);
    return r;
  }

  // The bytes of `span` into the reads of `plan` that want them.
  Status get_span(http::ReadPlan &plan, const http::ByteSpan &span) {
    Result<S3Response> r = session_->send(ranged_get(span.first, span.end - span.first));
    if (!r) return replaced_or(r.error());
    Status st = check_version(r->head);
    if (st) st = check_answered(r->head, span);
    // Every byte of a span is wanted: the reads' buffers take them directly.
    for (int64_t at = span.first; st && at < span.end;) {
      const std::span<uint8_t> to = plan.direct(at, span.end - at).dst;
      Result<size_t> n = session_->read(*r, to);
      if (!n)
        return n.error().code() == kEof
                   ? Error(-EIO, "s3: " + session_->config().display() + ": the range from byte " +
                                     std::to_string(span.first) + " ended at byte " + std::to_string(at))
                   : n.error();
      plan.put(at, to.first(*n));
      at += static_cast<int64_t>(*n);
    }
    session_->abandon(*r);
    return st;
  }

  // The answer holds the span from its first byte (not the whole object
  // from byte 0, as from a store that ignored the Range).
  Status check_answered(const http::ResponseHead &head, const http::ByteSpan &span) const {
    const std::optional<std::string_view> cr = head.find("Content-Range");
    if (cr) {
      Result<http::ContentRange> range = http::parse_content_range(*cr);
      if (range && range->first == span.first && range->last + 1 >= span.end) return {};
    }
    return Error(kInvalidData, "s3: " + session_->config().display() + ": asked for bytes " +
                                   std::to_string(span.first) + "-" + std::to_string(span.end - 1) + ", got " +
                                   (cr ? http::quoted(*cr) : "status " + std::to_string(head.status)));
  }

  // A ranged GET from `offset`; the first one learns the size and ETag.
  Status get_at(int64_t offset, int64_t length, Dictionary *first_options) {
    S3Request r = ranged_get(offset, length);
    r.also_accept = 416;
    Result<S3Response> answer = session_->send(r, first_options);
    if (!answer) return replaced_or(answer.error());
    return take_response(std::move(*answer), offset);
  }

  // A refused If-Match is the object replaced.
  Error replaced_or(const Error &e) const {
    if (e.code() == kHttpOther4xx && e.message().find("PreconditionFailed") != std::string::npos)
      return Error(-EIO, "s3: " + session_->config().display() + " was replaced while being read (ETag " + etag_ + ")");
    return e;
  }

  // If-Match asks the store to refuse another version; a store that does
  // not (s3rver) still names the version it sends.
  Status check_version(const http::ResponseHead &head) const {
    const std::string_view etag = head.find("ETag").value_or("");
    if (!etag_.empty() && !etag.empty() && etag != etag_)
      return Error(-EIO, "s3: " + session_->config().display() + " was replaced while being read (ETag " + etag_ +
                             ", now " + std::string(etag) + ")");
    return {};
  }

  Status take_response(S3Response answer, int64_t offset) {
    const http::ResponseHead &head = answer.head;
    if (Status st = check_version(head); !st) return st;
    const std::string etag(head.find("ETag").value_or(""));
    if (std::optional<std::string_view> cr = head.find("Content-Range"); cr) {
      Result<http::ContentRange> range = http::parse_content_range(*cr);
      if (!range && offset == 0 && cr->size() > 2 && cr->substr(cr->size() - 2) == "/0") {
        // An empty object: "bytes 0-0/0" from some stores (s3rver), where
        // AWS answers 416 with "bytes */0".
        session_->abandon(answer);
        size_ = 0;
        pos_ = 0;
        etag_ = etag;
        return {};
      }
      if (!range) return Error(kInvalidData, "s3: Content-Range: " + range.error().message());
      size_ = range->complete_length;
      if (head.status == 416) {
        session_->abandon(answer);
        pos_ = offset;
        return {};  // an empty object, or a read at its end
      }
      if (range->first != offset) return Error(kInvalidData, "s3: the store answered another range than asked");
    } else if (head.status == 200) {
      Result<int64_t> length = http::content_length(head);
      size_ = length && *length >= 0 ? offset + *length : -1;
    } else {
      return Error(kInvalidData, "s3: status " + std::to_string(head.status) + " without Content-Range");
    }
    if (etag_.empty()) etag_ = etag;
    pos_ = offset;
    response_ = std::move(answer);
    return {};
  }

  // ---- writing
  Status start_multipart(UrlContext &h) {
    S3Request init{"POST", session_->config().key, {{"uploads", ""}}, {}, {}, 0};
    Result<S3Response> r = session_->send(init);
    if (!r) return r.error();
    Result<std::string> xml = session_->read_all(*r, 65536);
    if (!xml) return xml.error();
    Result<std::string> id = s3::parse_upload_id(*xml);
    if (!id) return Error(id.error().code(), "s3: InitiateMultipartUpload: " + id.error().message());
    upload_id_ = *id;
    const UrlOpenParams params = h.params();
    const s3::S3Config config = session_->config();
    const Dictionary options = nested_options_;
    uploader_ = std::make_unique<s3::PartUploader>(
        [params, config, options] { return std::make_unique<S3Session>(params, config, options); }, config.key,
        upload_id_, config.parts_in_flight);
    return {};
  }

  Status send_part(UrlContext &h, std::vector<uint8_t> part) {
    if (!uploader_) {
      if (Status st = start_multipart(h); !st) return st;
    }
    return uploader_->submit(std::move(part));
  }

  // AbortMultipartUpload, also after an interrupt: on a session of its own
  // that the interrupt does not stop, bounded by a short timeout instead.
  Status fail_upload(UrlContext &h, const Status &why) {
    failure_ = why;
    if (uploader_) (void)uploader_->finish();
    if (!upload_id_.empty()) {
      UrlOpenParams params = h.params();
      params.interrupt = {};
      params.rw_timeout = params.open_timeout = kAbortTimeoutUs;
      S3Session detached(params, session_->config(), nested_options_);
      S3Request abort{"DELETE", session_->config().key, {{"uploadId", upload_id_}}, {}, {}, 0};
      if (Result<S3Response> r = detached.send(abort); r) detached.abandon(*r);
    }
    return why;
  }

  Status put_whole(UrlContext &h) {
    S3Request put{"PUT", session_->config().key, {}, {{"Content-MD5", s3::content_md5(buffer_)}}, buffer_, 0};
    Result<S3Response> r = session_->send(put);
    if (!r) return fail_upload(h, r.error());
    session_->abandon(*r);
    return {};
  }

  Status finish_upload(UrlContext &h) {
    if (!uploader_) return put_whole(h);
    if (!buffer_.empty()) {
      if (Status st = send_part(h, std::move(buffer_)); !st) return fail_upload(h, st);
      buffer_.clear();
    }
    Result<std::vector<std::string>> etags = uploader_->finish();
    if (!etags) return fail_upload(h, etags.error());
    std::string xml = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags->size(); ++i)
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + (*etags)[i] + "</ETag></Part>";
    xml += "</CompleteMultipartUpload>";
    const std::span<const uint8_t> body(reinterpret_cast<const uint8_t *>(xml.data()), xml.size());
    S3Request complete{"POST", session_->config().key, {{"uploadId", upload_id_}}, {}, body, 0};
    Result<S3Response> r = session_->send(complete);
    if (!r) return fail_upload(h, r.error());
    Result<std::string> answer = session_->read_all(*r, 65536);
    if (!answer) return fail_upload(h, answer.error());
    // S3 can report a failure inside a 200 answer.
    if (Result<std::string> etag = s3::parse_complete_multipart(*answer); !etag)
      return fail_upload(h, Error(etag.error().code(), "s3: CompleteMultipartUpload: " + etag.error().message()));
    return {};
  }

  // ---- listing
  Status list_page() {
    Pairs query = {{"list-type", "2"}, {"delimiter", "/"}, {"prefix", prefix_}, {"max-keys", max_keys_}};
    if (!token_.empty()) query.emplace_back("continuation-token", token_);
    S3Request list{"GET", "", query, {}, {}, 0};
    Result<S3Response> r = session_->send(list);
    if (!r) return r.error();
    Result<std::string> xml = session_->read_all(*r, size_t{16} << 20);
    if (!xml) return xml.error();
    Result<s3::ListResult> page = s3::parse_list_objects_v2(*xml);
    if (!page) return Error(page.error().code(), "s3: ListObjectsV2: " + page.error().message());
    entries_.clear();
    next_entry_ = 0;
    for (const std::string &p : page->prefixes) {
      DirEntry e;
      e.name = p.substr(std::min(prefix_.size(), p.size()));
      if (!e.name.empty() && e.name.back() == '/') e.name.pop_back();
      e.type = DirEntryType::kDirectory;
      entries_.push_back(std::move(e));
    }
    for (const s3::Object &o : page->objects) {
      if (o.key == prefix_) continue;  // the "directory" object itself
      DirEntry e;
      e.name = o.key.substr(std::min(prefix_.size(), o.key.size()));
      e.type = DirEntryType::kFile;
      e.size = o.size;
      e.modification_timestamp = o.last_modified * 1000000;
      entries_.push_back(std::move(e));
    }
    token_ = page->truncated ? page->next_token : "";
    return {};
  }

  std::unique_ptr<S3Session> session_;
  bool writing_ = false;
  // reading
  std::optional<S3Response> response_;
  std::string etag_;
  int64_t size_ = -1;
  int64_t pos_ = 0;
  int64_t next_range_ = kFirstRange;
  int64_t end_offset_ = 0;  // 0: the object's end
  // writing
  std::vector<uint8_t> buffer_;
  Dictionary nested_options_;
  std::string upload_id_;
  std::unique_ptr<s3::PartUploader> uploader_;
  Status failure_;  // the upload's, once it failed (and was aborted)
  // listing
  std::string prefix_, token_, max_keys_;
  std::vector<DirEntry> entries_;
  size_t next_entry_ = 0;
};

}  // namespace

ProtocolInfo s3_protocol() {
  return ProtocolInfo::of<S3Protocol>(
      "s3", {.default_whitelist = "s3,http,https,tls,tcp,httpproxy",
             .options = s3::s3_option_specs(),
             // AWS's guidance: 8-16 MiB ranges, many connections per object.
             .remote = ProtocolTraits::Remote{
                 .readahead_max = int64_t{16} << 20, .max_connections = 8, .initial_hole = int64_t{4} << 20}});
}

}  // namespace avio::protocols
