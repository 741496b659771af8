#include "client/detail/transport.hpp"

#include <boost/url/url.hpp>

namespace latch::client::detail {

std::string hubTarget(const ServerUrl& server, std::string_view connectionToken) {
  boost::urls::url target;
  target.set_path(server.hubPath());
  target.params().set("id", connectionToken);
  return std::string(target.buffer());
}

}  // namespace latch::client::detail
