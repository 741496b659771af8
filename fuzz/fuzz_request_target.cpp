// Fuzzes request-target parsing and log redaction: a token must never survive redaction.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/logging.hpp"
#include "transport/request_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)latch::transport::parseRequestTarget(input);
  if (input.find("SECRETSECRET") != std::string_view::npos) return 0;  // oracle needs it unique
  const std::string target = "/hubs/command?" + std::string(input) + "&access_token=SECRETSECRET";
  if (latch::redactTarget(target).find("SECRETSECRET") != std::string::npos) std::abort();
  return 0;
}
