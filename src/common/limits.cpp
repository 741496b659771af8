#include "common/limits.hpp"

namespace latch {

std::string Limits::validate() const {
  using std::chrono::milliseconds;
  if (handshakeTimeout < milliseconds(100)) return "handshake_timeout_ms must be at least 100";
  if (keepAliveInterval < milliseconds(100)) return "keepalive_interval_ms must be at least 100";
  if (clientTimeout <= keepAliveInterval) {
    return "client_timeout_ms must be greater than keepalive_interval_ms";
  }
  if (disconnectTimeout < milliseconds(100)) return "disconnect_timeout_ms must be at least 100";
  if (longPollTimeout < milliseconds(100)) return "long_poll_timeout_ms must be at least 100";
  if (clientResultTimeout < milliseconds(10)) return "client_result_timeout_ms must be at least 10";
  if (maxMessageBytes < 256 || maxMessageBytes > 16 * 1024 * 1024) {
    return "max_message_bytes must be between 256 and 16777216";
  }
  if (maxBacklogBytes < maxMessageBytes) return "max_backlog_bytes must be >= max_message_bytes";
  if (maxConnections == 0) return "max_connections must be positive";
  if (maxConnectionsPerSubject == 0) return "max_connections_per_subject must be positive";
  if (maxConnectionsPerAddress == 0) return "max_connections_per_address must be positive";
  if (maxUnattachedConnections == 0) return "max_unattached_connections must be positive";
  if (negotiateTimeout < milliseconds(100)) return "negotiate_timeout_ms must be at least 100";
  if (refusalBudget == 0) return "refusal_budget must be positive";
  if (refusalWindow < milliseconds(100)) return "refusal_window_ms must be at least 100";
  if (maxSockets == 0) return "max_sockets must be positive";
  if (maxParallelInvocations == 0) return "max_parallel_invocations must be positive";
  if (maxPendingClientResults == 0) return "max_pending_client_results must be positive";
  if (maxInvocationIdBytes == 0) return "max_invocation_id_bytes must be positive";
  if (maxHeaderBytes < 1024) return "max_header_bytes must be at least 1024";
  if (maxBodyBytes < maxMessageBytes) return "max_body_bytes must be >= max_message_bytes";
  if (requestTimeout < milliseconds(100)) return "request_timeout_ms must be at least 100";
  if (idleTimeout < milliseconds(100)) return "idle_timeout_ms must be at least 100";
  return {};
}

}  // namespace latch
