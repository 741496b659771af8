#pragma once

#include <functional>
#include <string_view>

#include <boost/json/array.hpp>

namespace latch::auth {
class Authenticator;
}

namespace latch::hub {

class Hub;

// The homes a subject belongs to, as Whoami reports them.
using HomesLookup = std::function<boost::json::array(std::string_view subject)>;

// Registers the methods every Latch server has: Whoami() and RefreshToken(accessToken).
// `authenticator` (checks refreshed tokens) must outlive the hub. `homesOf` fills Whoami's
// "homes" (empty without it).
void registerBuiltinMethods(Hub& hub, const auth::Authenticator& authenticator,
                            HomesLookup homesOf = {});

// Registers test-only methods (Echo, Add, ...ForTest). Defined in test_methods.cpp, which
// only the test-hook build of the server and the unit tests link: never the release binary.
void registerTestMethodsForTest(Hub& hub);

}  // namespace latch::hub
