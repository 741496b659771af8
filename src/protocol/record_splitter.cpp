#include "protocol/record_splitter.hpp"

#include <fmt/format.h>

namespace latch::protocol {

ProtocolError RecordSplitter::tooLarge() const {
  return makeError(ProtocolErrc::MessageTooLarge,
                   fmt::format("Message exceeds the maximum size of {} bytes.", max_));
}

}  // namespace latch::protocol
