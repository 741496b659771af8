#include "hub/completer.hpp"

#include <atomic>

#include "hub/hub_connection.hpp"
#include "protocol/message_writer.hpp"

namespace latch::hub {

struct Completer::State {
  std::shared_ptr<HubConnection> connection;
  std::optional<std::string> invocationId;
  std::atomic<bool> done{false};

  // Claims the completion; false when another copy already completed.
  bool claim() { return !done.exchange(true); }

  void finish(const std::string& records) {
    // The slot is freed first: a client that keeps to the limit may send its next invocation
    // the moment it reads this Completion, before send() has even returned here.
    connection->invocationFinished(invocationId);
    if (invocationId) connection->send(records);
  }

  ~State() {
    if (claim()) {
      std::string out;
      if (invocationId)
        protocol::writeCompletionError(out, *invocationId, "The method did not complete.");
      finish(out);
    }
  }
};

Completer::Completer(std::shared_ptr<HubConnection> connection,
                     std::optional<std::string> invocationId)
    : state_(std::make_shared<State>()) {
  state_->connection = std::move(connection);
  state_->invocationId = std::move(invocationId);
}

void Completer::result(const boost::json::value& value) const {
  if (!state_->claim()) return;
  std::string out;
  if (state_->invocationId) protocol::writeCompletionResult(out, *state_->invocationId, value);
  state_->finish(out);
}

void Completer::voidResult() const {
  if (!state_->claim()) return;
  std::string out;
  if (state_->invocationId) protocol::writeCompletionVoid(out, *state_->invocationId);
  state_->finish(out);
}

void Completer::error(std::string_view message) const {
  if (!state_->claim()) return;
  std::string out;
  if (state_->invocationId) protocol::writeCompletionError(out, *state_->invocationId, message);
  state_->finish(out);
}

bool Completer::done() const { return state_->done.load(); }

}  // namespace latch::hub
