#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hub/hub_connection.hpp"
#include "transport/transport_link.hpp"

namespace latch::testing {

// A transport that records what the connection sends and ends when told to.
class FakeLink final : public transport::TransportLink {
 public:
  explicit FakeLink(std::size_t maxBytes = 1 << 20) : max_(maxBytes) {}

  bool send(std::string_view records) override {
    {
      std::lock_guard lock(mu_);
      if (closed_ || aborted_) return false;
      if (sent_.size() + records.size() > max_) return false;
      sent_.append(records);
    }
    // A client that acts the moment it sees the records, before send() returns.
    if (onSent) onSent(records);
    return true;
  }
  std::function<void(std::string_view)> onSent;
  void close() override {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    end();
  }
  void abort() override {
    {
      std::lock_guard lock(mu_);
      aborted_ = true;
    }
    end();
  }
  transport::TransportKind kind() const override { return transport::TransportKind::WebSockets; }

  void bind(const std::shared_ptr<hub::HubConnection>& c) { connection_ = c; }

  // The records sent so far (separators removed), and forgets them.
  std::vector<std::string> takeRecords() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i < sent_.size(); ++i) {
      if (sent_[i] == '\x1e') {
        out.push_back(sent_.substr(start, i - start));
        start = i + 1;
      }
    }
    sent_.clear();
    return out;
  }
  bool closed() {
    std::lock_guard lock(mu_);
    return closed_;
  }
  bool aborted() {
    std::lock_guard lock(mu_);
    return aborted_;
  }

 private:
  void end() {
    if (auto c = connection_.lock()) c->onTransportClosed();
  }

  std::mutex mu_;
  std::string sent_;
  std::size_t max_;
  bool closed_ = false;
  bool aborted_ = false;
  std::weak_ptr<hub::HubConnection> connection_;
};

}  // namespace latch::testing
