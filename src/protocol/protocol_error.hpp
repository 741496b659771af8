#pragma once

#include "common/result.hpp"

namespace latch::protocol {

// Why a peer's bytes were refused. The message of each error is safe to send back in a
// Close or handshake response: it names the problem, never echoes the input.
enum class ProtocolErrc {
  MessageTooLarge,
  InvalidJson,
  NotAnObject,
  MissingField,
  WrongFieldType,
  UnknownMessageType,
  InvalidValue,
  UnsupportedProtocol,
  UnsupportedVersion,
};

using ProtocolError = Error<ProtocolErrc>;

template <class T>
using ProtocolResult = Result<T, ProtocolErrc>;

}  // namespace latch::protocol
