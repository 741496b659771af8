#include "transport/outbox.hpp"

namespace latch::transport {

Outbox::Push Outbox::push(std::string_view bytes) {
  std::lock_guard lock(mu_);
  if (closed_) return Push::Closed;
  if (buffer_.size() + bytes.size() > max_) return Push::Overflow;
  buffer_.append(bytes);
  if (writerBusy_) return Push::Queued;
  writerBusy_ = true;
  return Push::QueuedAndWake;
}

std::string Outbox::take() {
  std::lock_guard lock(mu_);
  std::string out;
  out.swap(buffer_);
  writerBusy_ = !out.empty();
  return out;
}

void Outbox::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
}

bool Outbox::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

std::size_t Outbox::queuedBytes() const {
  std::lock_guard lock(mu_);
  return buffer_.size();
}

}  // namespace latch::transport
