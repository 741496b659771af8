#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "store/device_store.hpp"
#include "store/pat.hpp"
#include "store/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace latch::store {
namespace {

constexpr std::int64_t kNow = 1'764'405'600;
using Commands = std::vector<std::string>;

class DeviceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::open(dir.file("latch.db"));
    ASSERT_TRUE(opened) << opened.error().message;
    store.emplace(std::move(*opened));
    homeId = store->createHome("Home", "alice", kNow).value().id;
  }

  StoreResult<Device> add(std::string_view name, const Commands& commands,
                          const Commands& ownerOnly = {}) {
    return store->addDevice(homeId, name, commands, ownerOnly, hashPat(generatePat()), kNow);
  }

  testing::TempDir dir;
  std::optional<SqliteStore> store;
  std::string homeId;
};

TEST(PatTest, APatIsPrefixedBase64urlOf256RandomBits) {
  const auto pat = generatePat();
  EXPECT_EQ(pat.size(), 53u);
  EXPECT_EQ(pat.substr(0, 10), "latch_pat_");
  EXPECT_TRUE(looksLikePat(pat));
  EXPECT_NE(generatePat(), pat);
  EXPECT_FALSE(looksLikePat(pat.substr(0, 52)));
  EXPECT_FALSE(looksLikePat("latch_pat_" + std::string(42, 'A') + "="));
  EXPECT_FALSE(looksLikePat("other_pat_" + std::string(43, 'A')));
}

TEST(PatTest, ThePatHashIsTheSha256OfItsText) {
  const auto hash = hashPat("abc");
  const PatHash expected = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                            0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                            0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  EXPECT_EQ(hash, expected);
}

TEST_F(DeviceStoreTest, ANewDeviceHasAFreshIdItsCommandsAndIsNotRevoked) {
  auto device = add("Front door", {"OPEN_DOOR", "LOCK_DOOR"}, {"OPEN_DOOR"});
  ASSERT_TRUE(device) << device.error().message;
  EXPECT_EQ(device->id.size(), 24u);
  EXPECT_EQ(device->id.substr(0, 2), "d_");
  EXPECT_EQ(device->homeId, homeId);
  EXPECT_EQ(device->commands, (Commands{"OPEN_DOOR", "LOCK_DOOR"}));
  EXPECT_EQ(device->ownerOnly, (Commands{"OPEN_DOOR"}));
  EXPECT_FALSE(device->revoked);

  auto found = store->findDevice(device->id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "Front door");
  EXPECT_EQ(found->commands, device->commands);
  EXPECT_EQ(found->ownerOnly, device->ownerOnly);
  EXPECT_EQ(found->createdAt, kNow);
}

TEST_F(DeviceStoreTest, RepeatedCommandsAreStoredOnce) {
  auto device = add("Door", {"OPEN_DOOR", "OPEN_DOOR", "LOCK_DOOR"}, {"LOCK_DOOR", "LOCK_DOOR"});
  ASSERT_TRUE(device) << device.error().message;
  EXPECT_EQ(store->findDevice(device->id)->commands, (Commands{"OPEN_DOOR", "LOCK_DOOR"}));
  EXPECT_EQ(store->findDevice(device->id)->ownerOnly, (Commands{"LOCK_DOOR"}));
}

TEST_F(DeviceStoreTest, ADeviceForAnUnknownHomeIsNotFound) {
  auto r = store->addDevice("h_nope", "Door", {"OPEN_DOOR"}, {}, hashPat("x"), kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::NotFound);
  EXPECT_EQ(r.error().message, "unknown home h_nope");
  EXPECT_TRUE(store->listDevices(std::nullopt)->empty());
}

TEST_F(DeviceStoreTest, ADuplicateNameInAHomeIsAConflictButNotAcrossHomes) {
  ASSERT_TRUE(add("Door", {"OPEN_DOOR"}));
  auto again = add("Door", {"LOCK_DOOR"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, StoreErrc::Conflict);
  EXPECT_NE(again.error().message.find("already has a device named 'Door'"), std::string::npos);
  const auto other = store->createHome("Other", "alice", kNow).value();
  EXPECT_TRUE(store->addDevice(other.id, "Door", {"OPEN_DOOR"}, {}, hashPat("x"), kNow));
}

TEST_F(DeviceStoreTest, BadCommandNamesAreRefused) {
  for (const Commands& commands :
       {Commands{}, Commands{"open_door"}, Commands{"OPEN DOOR"}, Commands{""}, Commands{"1ST"},
        Commands{std::string(65, 'A')}, Commands{"OPEN_DOOR", "LOCK-DOOR"},
        Commands{"DROP TABLE devices; --"}}) {
    auto r = add("Door", commands);
    ASSERT_FALSE(r) << ::testing::PrintToString(commands);
    EXPECT_EQ(r.error().code, StoreErrc::Invalid);
  }
  EXPECT_NE(add("Door", {"open_door"}).error().message.find("bad command name 'open_door'"),
            std::string::npos);
  EXPECT_TRUE(add("Door", {std::string(64, 'A'), "SET_TEMP_2"}));
}

TEST_F(DeviceStoreTest, TooManyCommandsAreRefused) {
  Commands many;
  for (std::size_t i = 0; i <= kMaxCommandsPerDevice; ++i) many.push_back("C" + std::to_string(i));
  EXPECT_EQ(add("Door", many).error().code, StoreErrc::Invalid);
  many.pop_back();
  EXPECT_TRUE(add("Door", many));
}

TEST_F(DeviceStoreTest, OwnerOnlyCommandsMustBeAmongTheDevicesCommands) {
  auto r = add("Door", {"LOCK_DOOR"}, {"OPEN_DOOR"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::Invalid);
  EXPECT_NE(r.error().message.find("OPEN_DOOR is not among"), std::string::npos);
  EXPECT_EQ(add("Door", {"LOCK_DOOR"}, {"lock"}).error().code, StoreErrc::Invalid);
}

TEST_F(DeviceStoreTest, BadDeviceNamesAreRefused) {
  EXPECT_EQ(add("", {"OPEN_DOOR"}).error().code, StoreErrc::Invalid);
  EXPECT_EQ(add(std::string(65, 'd'), {"OPEN_DOOR"}).error().code, StoreErrc::Invalid);
  EXPECT_EQ(add("line\nbreak", {"OPEN_DOOR"}).error().code, StoreErrc::Invalid);
}

TEST_F(DeviceStoreTest, ThePatHashRoundTripsAndThePatItselfIsNowhereInTheFile) {
  const auto pat = generatePat();
  const auto hash = hashPat(pat);
  auto device = store->addDevice(homeId, "Door", {"OPEN_DOOR"}, {}, hash, kNow);
  ASSERT_TRUE(device);
  auto stored = store->patHashOf(device->id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, hash);
  EXPECT_NE(*stored, hashPat(generatePat()));
  EXPECT_EQ(store->patHashOf("d_nope").error().code, StoreErrc::NotFound);

  const std::string hashBytes(hash.begin(), hash.end());
  bool hashSeen = false;
  for (const char* name : {"latch.db", "latch.db-wal"}) {
    std::ifstream in(dir.file(name), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(bytes.find(pat), std::string::npos) << name;
    hashSeen = hashSeen || bytes.find(hashBytes) != std::string::npos;
  }
  EXPECT_TRUE(hashSeen) << "the files read are the ones written";
}

TEST_F(DeviceStoreTest, DevicesAreListedPerHomeOrAllInCreationOrder) {
  const auto other = store->createHome("Other", "bob", kNow).value();
  const auto a = add("A", {"OPEN_DOOR"}).value();
  const auto b = store->addDevice(other.id, "B", {"LIGHT_ON"}, {}, hashPat("x"), kNow).value();
  const auto c = add("C", {"LOCK_DOOR"}).value();
  auto all = store->listDevices(std::nullopt);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, a.id);
  EXPECT_EQ((*all)[1].id, b.id);
  EXPECT_EQ((*all)[2].id, c.id);
  EXPECT_EQ((*all)[1].commands, (Commands{"LIGHT_ON"}));
  auto mine = store->listDevices(std::string_view(homeId));
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[1].id, c.id);
  EXPECT_TRUE(store->listDevices(std::string_view("h_unknown"))->empty());
}

TEST_F(DeviceStoreTest, RevokingMarksTheDeviceAndMayBeRepeated) {
  const auto device = add("Door", {"OPEN_DOOR"}).value();
  ASSERT_TRUE(store->revokeDevice(device.id, kNow + 5));
  EXPECT_TRUE(store->findDevice(device.id)->revoked);
  EXPECT_TRUE(store->revokeDevice(device.id, kNow + 9));
  EXPECT_TRUE(store->listDevices(std::nullopt)->front().revoked);
  EXPECT_TRUE(store->patHashOf(device.id)) << "kept: the token endpoint says why it refuses";
}

TEST_F(DeviceStoreTest, RevokingOrFindingAnUnknownDeviceIsNotFound) {
  EXPECT_EQ(store->revokeDevice("d_nope", kNow).error().code, StoreErrc::NotFound);
  auto r = store->findDevice("d_nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::NotFound);
  EXPECT_EQ(r.error().message, "unknown device d_nope");
  EXPECT_EQ(store->findDevice("\x01\x02").error().message, "unknown device (unprintable id)");
}

}  // namespace
}  // namespace latch::store
