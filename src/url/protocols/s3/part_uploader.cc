#include "part_uploader.hpp"

#include <algorithm>

#include "../http/message.hpp"
#include "digest.hpp"

namespace avio::protocols::s3 {

std::string content_md5(std::span<const uint8_t> bytes) {
  return http::base64_encode(md5(std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size())));
}

PartUploader::PartUploader(SessionFactory make_session, std::string key, std::string upload_id, int max_in_flight)
    : make_session_(std::move(make_session)),
      key_(std::move(key)),
      upload_id_(std::move(upload_id)),
      max_in_flight_(static_cast<size_t>(std::max(1, max_in_flight))) {}

PartUploader::~PartUploader() { stop_workers(); }

void PartUploader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread &t : workers_) t.join();
  workers_.clear();
}

Status PartUploader::upload(S3Session &session, const Job &job, std::string *etag) const {
  S3Request put{"PUT",
                key_,
                {{"partNumber", std::to_string(job.number)}, {"uploadId", upload_id_}},
                {{"Content-MD5", content_md5(job.bytes)}},
                job.bytes,
                0};
  Result<S3Response> r = session.send(put);
  if (!r) return r.error();
  *etag = std::string(r->head.find("ETag").value_or(""));
  session.abandon(*r);
  if (etag->empty()) return Error(kInvalidData, "s3: UploadPart " + std::to_string(job.number) + " answered no ETag");
  return {};
}

void PartUploader::work() {
  std::unique_ptr<S3Session> session = make_session_();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    const bool skip = !failure_.ok();
    lock.unlock();
    std::string etag;
    Status st = skip ? Status() : upload(*session, job, &etag);
    lock.lock();
    if (!st && failure_.ok()) failure_ = st;
    if (st && !skip) etags_[static_cast<size_t>(job.number - 1)] = std::move(etag);
    --in_flight_;
    changed_.notify_all();
  }
}

Status PartUploader::submit(std::vector<uint8_t> part) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [this] { return in_flight_ < max_in_flight_ || !failure_.ok(); });
  if (!failure_.ok()) return failure_;
  etags_.resize(static_cast<size_t>(next_number_));
  queue_.push_back({next_number_++, std::move(part)});
  ++in_flight_;
  if (workers_.size() < max_in_flight_ && workers_.size() < in_flight_) {
    lock.unlock();
    workers_.emplace_back([this] { work(); });
  } else {
    lock.unlock();
  }
  changed_.notify_all();
  return {};
}

Result<std::vector<std::string>> PartUploader::finish() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return in_flight_ == 0; });
  }
  stop_workers();
  std::lock_guard<std::mutex> lock(mu_);
  if (!failure_.ok()) return failure_.error();
  return etags_;
}

}  // namespace avio::protocols::s3
