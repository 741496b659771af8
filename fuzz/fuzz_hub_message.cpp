// Fuzzes the hub-protocol parsers: record splitting, hub messages, handshake, negotiate
// version. Any input must give a value or an error, never a crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/handshake.hpp"
#include "protocol/hub_message.hpp"
#include "protocol/message_writer.hpp"
#include "protocol/negotiate.hpp"
#include "protocol/record_splitter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace latch::protocol;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  RecordSplitter splitter(4096);
  // Feed in two pieces so that records split across chunks are covered too.
  const std::size_t cut = size / 3;
  for (std::string_view piece : {input.substr(0, cut), input.substr(cut)}) {
    auto fed = splitter.feed(piece, [](std::string_view record) {
      auto message = parseHubMessage(record);
      if (message) {
        // Whatever parses must be writable again.
        if (auto* c = std::get_if<CompletionMessage>(&*message); c && c->result) {
          std::string out;
          writeCompletionResult(out, c->invocationId, *c->result);
        }
      }
      (void)parseHandshakeRequest(record);
      return true;
    });
    if (!fed) break;
  }
  (void)chooseNegotiateVersion(input.substr(0, 32));
  return 0;
}
