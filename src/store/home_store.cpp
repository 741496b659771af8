#include "store/home_store.hpp"

namespace latch::store {

std::string_view memberRoleName(MemberRole role) {
  return role == MemberRole::Owner ? "owner" : "member";
}

std::optional<MemberRole> parseMemberRole(std::string_view name) {
  if (name == "owner") return MemberRole::Owner;
  if (name == "member") return MemberRole::Member;
  return std::nullopt;
}

}  // namespace latch::store
