#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace latch::store {

// The store's rules for what callers may name things. Each returns nullopt for valid input,
// else one line saying what is wrong (it quotes the input only when it is valid UTF-8 without
// control characters, so a message is always safe to print).

// Home and device names: 1..64 characters of valid UTF-8, no control characters, no
// leading or trailing space. `what` names the thing ("home name").
std::optional<std::string> nameProblem(std::string_view what, std::string_view name);

// Command names: 1..64 of A-Z, 0-9 and _, starting with a letter.
std::optional<std::string> commandProblem(std::string_view command);

// Subjects (token `sub`, owners, members): 1..255 bytes of printable ASCII.
std::optional<std::string> subjectProblem(std::string_view subject);

// `id` itself if it is safe to put in a message (1..64 printable ASCII characters, no
// spaces), else a placeholder: ids may come from untrusted input.
std::string idForMessage(std::string_view id);

}  // namespace latch::store
