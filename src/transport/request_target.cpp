#include "transport/request_target.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace latch::transport {

std::optional<std::string_view> RequestTarget::param(std::string_view name) const {
  std::optional<std::string_view> found;
  for (const auto& [key, value] : params) {
    if (key != name) continue;
    if (found) return std::nullopt;
    found = value;
  }
  return found;
}

std::optional<RequestTarget> parseRequestTarget(std::string_view target) {
  auto parsed =
      boost::urls::parse_origin_form(boost::core::string_view(target.data(), target.size()));
  if (!parsed) return std::nullopt;
  RequestTarget out;
  out.path = std::string(parsed->encoded_path());
  for (const auto& p : parsed->params()) {
    out.params.emplace_back(std::string(p.key), std::string(p.has_value ? p.value : ""));
  }
  return out;
}

}  // namespace latch::transport
