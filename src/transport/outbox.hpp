#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace latch::transport {

// A bounded byte queue of outgoing records shared by a connection's senders (any thread)
// and its transport writer. Appending copies into one growing buffer, so many small
// messages cost no allocation each and leave in one write. Thread-safe.
class Outbox {
 public:
  explicit Outbox(std::size_t maxBytes) : max_(maxBytes) {}

  enum class Push {
    Queued,         // appended; a writer is already busy or was already woken
    QueuedAndWake,  // appended to an idle outbox: the caller must start a writer
    Overflow,       // would exceed the bound: nothing appended
    Closed,         // the outbox is closed: nothing appended
  };

  Push push(std::string_view bytes);

  // Takes everything queued (empty when nothing is) and marks the writer busy when
  // something was taken; when nothing was, the writer goes idle and the next push wakes it.
  std::string take();

  // Refuses further pushes. What is queued stays for take().
  void close();

  bool closed() const;
  std::size_t queuedBytes() const;

 private:
  mutable std::mutex mu_;
  std::string buffer_;
  std::size_t max_;
  bool writerBusy_ = false;
  bool closed_ = false;
};

}  // namespace latch::transport
