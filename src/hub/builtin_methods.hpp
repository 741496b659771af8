#pragma once

namespace latch::auth {
class Authenticator;
}

namespace latch::hub {

class Hub;

// Registers the methods every Latch server has: Whoami() and RefreshToken(accessToken).
// `authenticator` (checks refreshed tokens) must outlive the hub.
void registerBuiltinMethods(Hub& hub, const auth::Authenticator& authenticator);

// Registers test-only methods (Echo, Add, ...ForTest). Defined in test_methods.cpp, which
// only the test-hook build of the server and the unit tests link: never the release binary.
void registerTestMethodsForTest(Hub& hub);

}  // namespace latch::hub
