// Fuzzes the /auth/token form-body parser: any input gives pairs or nullopt, never a crash,
// and every value a parsed form returns is readable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/form_body.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto form = latch::auth::FormBody::parse(text)) {
    for (const char* name : {"grant_type", "client_id", "client_secret", "subject_token"}) {
      if (auto v = form->get(name)) (void)v->size();
    }
  }
  return 0;
}
