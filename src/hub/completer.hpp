#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace latch::hub {

class HubConnection;

// Sends the one Completion an invocation is owed. Copies share one state: the first
// result(), error() or voidResult() wins and later ones are ignored; if every copy is
// destroyed before any was called, the client gets an error rather than waiting forever.
// Thread-safe. For a non-blocking invocation (no id) nothing is ever sent.
class Completer {
 public:
  Completer(std::shared_ptr<HubConnection> connection, std::optional<std::string> invocationId);

  void result(const boost::json::value& value) const;
  void voidResult() const;
  void error(std::string_view message) const;

  // True once any copy has completed.
  bool done() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace latch::hub
