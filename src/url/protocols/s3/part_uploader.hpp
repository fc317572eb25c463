// The parts of one multipart upload, sent while the caller keeps writing:
// up to `max_in_flight` parts are uploaded at once, each by a thread with
// its own S3Session (its own connection), so memory stays within
// (max_in_flight + 1) parts and a slow part does not stop the writer until
// the pipeline is full.
//
// Thread-safety: submit() and finish() are called by the one writing
// thread; the workers only touch what the mutex guards. Every worker is
// joined by finish() or the destructor.
#ifndef AVIO_SRC_URL_PROTOCOLS_S3_PART_UPLOADER_HPP
#define AVIO_SRC_URL_PROTOCOLS_S3_PART_UPLOADER_HPP

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "s3_session.hpp"

namespace avio::protocols::s3 {

// Content-MD5's value for `bytes` (base64 of the MD5).
std::string content_md5(std::span<const uint8_t> bytes);

class PartUploader {
 public:
  using SessionFactory = std::function<std::unique_ptr<S3Session>()>;

  PartUploader(SessionFactory make_session, std::string key, std::string upload_id, int max_in_flight);
  ~PartUploader();
  PartUploader(const PartUploader &) = delete;
  PartUploader &operator=(const PartUploader &) = delete;

  // Queues the next part (numbered from 1 in submission order); blocks while
  // max_in_flight parts are in the air. Returns the first failure of any
  // part so far (then nothing more is sent).
  Status submit(std::vector<uint8_t> part);
  // Waits for every part: their ETags in part order, or the first failure.
  Result<std::vector<std::string>> finish();

 private:
  struct Job {
    int number;
    std::vector<uint8_t> bytes;
  };
  void work();
  Status upload(S3Session &session, const Job &job, std::string *etag) const;
  void stop_workers();

  SessionFactory make_session_;
  std::string key_, upload_id_;
  size_t max_in_flight_;

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Job> queue_;             // guarded by mu_
  size_t in_flight_ = 0;              // queued or being sent; guarded by mu_
  std::vector<std::string> etags_;    // by part number - 1; guarded by mu_
  Status failure_;                    // the first; guarded by mu_
  bool stopping_ = false;             // guarded by mu_
  int next_number_ = 1;               // the writer's
  std::vector<std::thread> workers_;  // the writer's
};

}  // namespace avio::protocols::s3

#endif  // AVIO_SRC_URL_PROTOCOLS_S3_PART_UPLOADER_HPP
