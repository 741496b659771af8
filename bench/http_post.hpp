#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bench/bench_error.hpp"
#include "bench/ws_target.hpp"

namespace latch::bench {

// POSTs `fields` form-encoded (application/x-www-form-urlencoded) to `path` on the server of
// `server` (its endpoint and Host header), over plain HTTP/1.1, and returns the response
// body when the status is 200. Network when the server cannot be reached, Protocol (with
// the status and the start of the body) for any other status. Blocking: setup only.
[[nodiscard]] BenchResult<std::string> postForm(
    const WsTarget& server, std::string_view path,
    const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace latch::bench
