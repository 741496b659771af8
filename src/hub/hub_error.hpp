#pragma once

#include <functional>

#include <boost/json/value.hpp>

#include "common/result.hpp"

namespace latch::hub {

// Why a hub call or a client result failed; the message goes to the client as a
// Completion error.
enum class HubErrc {
  UnknownMethod,
  BadArguments,
  TooManyInvocations,
  Unsupported,
  MethodFailed,
  ClientError,       // the client answered a server invocation with an error
  Timeout,           // a client result did not arrive in time
  ConnectionClosed,  // the connection ended before the result arrived
  Unavailable,       // the connection cannot take the request now (closing, or too many)
};

using HubError = Error<HubErrc>;

template <class T>
using HubResult = Result<T, HubErrc>;

// The outcome of a server-to-client invocation that awaits a client result.
using ClientResultCallback = std::function<void(HubResult<boost::json::value>)>;

}  // namespace latch::hub
