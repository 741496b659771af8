#pragma once

#include "common/result.hpp"

namespace latch::client {

// Why a client call failed. Messages are safe to print: they never contain a token, a PAT or
// a session key.
enum class ClientErrc {
  BadUrl,        // the server URL cannot be used
  BadInput,      // a token file, PAT file or argument is unusable
  Network,       // resolve, connect, read or write failed; the connection dropped
  Tls,           // TLS handshake or certificate verification failed
  Timeout,       // no answer in time
  Unauthorized,  // the server refused the credentials (401, invalid_client, ...)
  Forbidden,     // 403
  Http,          // another unexpected HTTP status
  Protocol,      // the server broke the SignalR protocol or sent garbage
  Closed,        // the connection ended (Close message, stop(), or not connected)
  Refused,       // the server answered the invocation with an error
};

using ClientError = Error<ClientErrc>;

template <class T>
using ClientResult = Result<T, ClientErrc>;

}  // namespace latch::client
