#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_error.hpp"

namespace latch::store {

enum class MemberRole { Owner, Member };

// "owner" / "member".
std::string_view memberRoleName(MemberRole role);
std::optional<MemberRole> parseMemberRole(std::string_view name);

struct Home {
  std::string id;              // "h_" + 22 base64url characters (128 random bits)
  std::string name;            // unique per owner
  std::string owner;           // the subject that created it (also an owner member)
  std::int64_t createdAt = 0;  // seconds since the epoch
};

struct Membership {
  std::string homeId;
  std::string subject;
  MemberRole role = MemberRole::Member;
};

// Homes and who belongs to them. Implementations are thread-safe.
class HomeStore {
 public:
  virtual ~HomeStore() = default;

  // A new home with a fresh id; `owner` becomes its first owner member. Invalid for an empty
  // or over-long name (1..64 printable characters) or owner, Conflict if that owner already
  // has a home of that name.
  [[nodiscard]] virtual StoreResult<Home> createHome(std::string_view name, std::string_view owner,
                                                     std::int64_t nowSeconds) = 0;
  [[nodiscard]] virtual StoreResult<std::vector<Home>> listHomes() = 0;
  // NotFound if there is no such home.
  [[nodiscard]] virtual StoreResult<Home> findHome(std::string_view homeId) = 0;

  // Adds `subject` to the home with `role`, or changes its role. NotFound for an unknown home.
  [[nodiscard]] virtual StoreResult<void> setMember(std::string_view homeId,
                                                    std::string_view subject, MemberRole role,
                                                    std::int64_t nowSeconds) = 0;
  // The subject's role in the home, or nullopt if it is not a member (or the home is unknown).
  [[nodiscard]] virtual StoreResult<std::optional<MemberRole>> roleIn(std::string_view homeId,
                                                                      std::string_view subject) = 0;
  // Every member of the home (empty for an unknown home): whom a device's events reach.
  [[nodiscard]] virtual StoreResult<std::vector<Membership>> membersOf(std::string_view homeId) = 0;
  // Every home the subject belongs to.
  [[nodiscard]] virtual StoreResult<std::vector<Membership>> membershipsOf(
      std::string_view subject) = 0;
};

}  // namespace latch::store
