#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/argument_rules.hpp"
#include "store/store_error.hpp"

namespace latch::store {

struct Device {
  std::string id;  // "d_" + 22 base64url characters (128 random bits); the device's token sub
  std::string homeId;
  std::string name;                    // unique within its home
  std::vector<std::string> commands;   // the commands it accepts
  std::vector<std::string> ownerOnly;  // the subset only owners may send
  // Command -> its argument rule, parsed once when the device is read (common/
  // argument_rules.hpp); commands without one get the default argument policy only.
  std::map<std::string, ArgumentRule, std::less<>> argRules;
  bool revoked = false;
  std::int64_t createdAt = 0;  // seconds since the epoch
};

using PatHash = std::array<std::uint8_t, 32>;  // SHA-256 of the PAT text

// Most commands one device may accept: a hub runs a handful; this bounds a device's row set
// and the lists sent to clients.
inline constexpr std::size_t kMaxCommandsPerDevice = 64;

// Devices and their credentials. Only the SHA-256 of a PAT is ever stored. Thread-safe.
class DeviceStore {
 public:
  virtual ~DeviceStore() = default;

  // A new device with a fresh id. NotFound for an unknown home, Conflict for a name already
  // used in that home, Invalid for a bad name or command (commands: 1..64 of A-Z, 0-9, _;
  // at least one; owner-only ones and those with an argument rule must be among them, and
  // each rule must parse).
  [[nodiscard]] virtual StoreResult<Device> addDevice(
      std::string_view homeId, std::string_view name, const std::vector<std::string>& commands,
      const std::vector<std::string>& ownerOnly, const PatHash& patHash, std::int64_t nowSeconds,
      const std::map<std::string, std::string>& argRules = {}) = 0;
  // All devices, or those of one home.
  [[nodiscard]] virtual StoreResult<std::vector<Device>> listDevices(
      std::optional<std::string_view> homeId) = 0;
  // NotFound if there is no such device.
  [[nodiscard]] virtual StoreResult<Device> findDevice(std::string_view deviceId) = 0;
  // The stored PAT hash of a device, NotFound if unknown.
  [[nodiscard]] virtual StoreResult<PatHash> patHashOf(std::string_view deviceId) = 0;
  // Marks the device revoked (its PAT is refused from now on). NotFound if unknown;
  // revoking twice is not an error.
  [[nodiscard]] virtual StoreResult<void> revokeDevice(std::string_view deviceId,
                                                       std::int64_t nowSeconds) = 0;
};

}  // namespace latch::store
