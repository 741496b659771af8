#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "protocol/protocol_error.hpp"

namespace latch::protocol {

// Message type numbers of the SignalR hub protocol (specs/signalr/HubProtocol.md).
enum class MessageType : int {
  Invocation = 1,
  StreamItem = 2,
  Completion = 3,
  StreamInvocation = 4,
  CancelInvocation = 5,
  Ping = 6,
  Close = 7,
  Ack = 8,
  Sequence = 9,
};

// Invocation (type 1) or StreamInvocation (type 4, `stream` set).
struct InvocationMessage {
  std::optional<std::string> invocationId;  // absent: non-blocking, no response allowed
  std::string target;
  boost::json::array arguments;
  std::vector<std::string> streamIds;
  bool stream = false;
};

struct StreamItemMessage {
  std::string invocationId;
  boost::json::value item;
};

// Exactly one of result and error may be present; neither means a void result.
struct CompletionMessage {
  std::string invocationId;
  std::optional<boost::json::value> result;
  std::optional<std::string> error;
};

struct CancelInvocationMessage {
  std::string invocationId;
};

struct PingMessage {};

struct CloseMessage {
  std::optional<std::string> error;
  bool allowReconnect = false;
};

// Stateful reconnect messages: parsed so that they are recognised, not yet acted on.
struct AckMessage {
  std::int64_t sequenceId = 0;
};
struct SequenceMessage {
  std::int64_t sequenceId = 0;
};

using HubMessage =
    std::variant<InvocationMessage, StreamItemMessage, CompletionMessage, CancelInvocationMessage,
                 PingMessage, CloseMessage, AckMessage, SequenceMessage>;

// Bounds applied while parsing, beyond the record size the splitter enforces.
struct ParseLimits {
  std::size_t maxInvocationIdBytes = 128;
  std::size_t maxDepth = 32;  // nesting of arrays/objects in arguments
};

// Parses one JSON hub message (the text of one record, without its separator). Unknown
// properties are ignored, as the official server does; missing or mistyped required
// properties, unknown message types, invalid JSON or UTF-8 are errors. Never throws;
// safe on any input. Thread-safe (no shared state). The message's JSON values are allocated
// from `storage` (the default heap unless given): a caller passing a short-lived resource
// must not let any of them outlive it.
ProtocolResult<HubMessage> parseHubMessage(std::string_view text, const ParseLimits& limits = {},
                                           boost::json::storage_ptr storage = {});

}  // namespace latch::protocol
