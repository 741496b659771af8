#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/array.hpp>

#include "auth/revocation_list.hpp"
#include "common/clock.hpp"
#include "hub/completer.hpp"
#include "hub/hub_error.hpp"
#include "protocol/hub_message.hpp"

namespace latch::hub {

class HubConnection;

// What a method sees of the call: the caller and the invocation id (empty if non-blocking).
struct CallContext {
  const std::shared_ptr<HubConnection>& caller;
  std::string_view invocationId;
};

// Told when connections complete their handshake and when they close, e.g. to know which
// devices are online. Called on I/O threads, never with a connection's lock held; must not
// block.
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  virtual void onConnected(const std::shared_ptr<HubConnection>& connection) = 0;
  // Only for connections that were connected.
  virtual void onClosed(HubConnection& connection) = 0;
  // A call was refused before its method ran (`reason`: "role"), for the audit log.
  virtual void onDenied(const std::shared_ptr<HubConnection>& caller, std::string_view method,
                        std::string_view reason) = 0;
  // Every tick of the registry (ConnectionRegistry::tick, driven by the server's periodic
  // timer), after the connections' own deadlines: for deadlines the observer keeps itself.
  virtual void onTick(SteadyTime now) {}
};

// A method receives its raw arguments and completes through the Completer, at once or
// later (for instance after awaiting a client result). It must not block.
using MethodHandler = std::function<void(CallContext&, boost::json::array& args, Completer)>;

// The hub's method table and dispatcher. Methods are registered before the server starts;
// after that the table is read-only, so dispatch() is thread-safe.
class Hub {
 public:
  // Registers `name` (case-sensitive, no overloads: a second registration replaces the
  // first). `roles`: the caller's token must carry one of them; empty allows any caller the
  // endpoint admitted. See hub/method_binding.hpp for typed registration.
  void add(std::string name, MethodHandler handler, std::vector<std::string> roles = {});

  bool has(std::string_view name) const;

  // The revocations every connection's token is checked against, on every invocation and
  // whenever the list changes (null: none). Set before the server starts; must outlive it.
  void setRevocations(const auth::RevocationList* revocations) { revocations_ = revocations; }
  const auth::RevocationList* revocations() const { return revocations_; }

  // Told of connections opening and closing (null: nobody). Set before the server starts;
  // must outlive it.
  void setObserver(ConnectionObserver* observer) { observer_ = observer; }
  ConnectionObserver* observer() const { return observer_; }

  // Runs one client invocation: unknown methods and streaming requests are answered with a
  // Completion error (nothing for non-blocking ones); the method completes through `done`.
  void dispatch(const std::shared_ptr<HubConnection>& caller, protocol::InvocationMessage&& message,
                Completer done) const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Method {
    MethodHandler handler;
    std::vector<std::string> roles;
  };
  std::unordered_map<std::string, Method, StringHash, std::equal_to<>> methods_;
  const auth::RevocationList* revocations_ = nullptr;
  ConnectionObserver* observer_ = nullptr;
};

}  // namespace latch::hub
