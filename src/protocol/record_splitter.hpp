#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/protocol_error.hpp"

namespace latch::protocol {

// The record separator that ends every JSON hub message and handshake.
inline constexpr char kRecordSeparator = '\x1e';

// Splits a byte stream into records terminated by 0x1E. A record may arrive split across
// several feed() calls (transports may cut anywhere); only the unfinished tail is copied.
// Not thread-safe: one per connection, fed by one reader at a time.
class RecordSplitter {
 public:
  explicit RecordSplitter(std::size_t maxRecordBytes) : max_(maxRecordBytes) {}

  // Calls onRecord(std::string_view record) for each complete record, in order, without the
  // separator; onRecord returns false to stop (the rest of the input is dropped). Returns
  // MessageTooLarge when a record exceeds the maximum; the splitter must not be fed again.
  template <class OnRecord>
  ProtocolResult<void> feed(std::string_view data, OnRecord&& onRecord);

  // True when bytes of an unfinished record are buffered.
  bool hasPartial() const { return !partial_.empty(); }

 private:
  ProtocolError tooLarge() const;

  std::size_t max_;
  std::string partial_;
};

template <class OnRecord>
ProtocolResult<void> RecordSplitter::feed(std::string_view data, OnRecord&& onRecord) {
  while (!data.empty()) {
    const auto end = data.find(kRecordSeparator);
    if (end == std::string_view::npos) {
      if (partial_.size() + data.size() > max_) return tooLarge();
      partial_.append(data);
      return {};
    }
    if (partial_.size() + end > max_) return tooLarge();
    bool more;
    if (partial_.empty()) {
      more = onRecord(data.substr(0, end));
    } else {
      partial_.append(data.substr(0, end));
      std::string record = std::move(partial_);
      partial_.clear();
      more = onRecord(std::string_view(record));
    }
    if (!more) return {};
    data.remove_prefix(end + 1);
  }
  return {};
}

}  // namespace latch::protocol
