// The register codec, table-driven: every type x word order x scale x offset, the edges
// (negative values, rounding, values that do not fit), switches and flags, and the bus-side
// write that merges bits of one register and keeps a safety hold.
#include "config/register_codec.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "devices/register_io.hpp"
#include "devices/transport/register_bus.hpp"

namespace sensoryd {
namespace {

using config::RegisterSpec;
using config::Rounding;
using config::ValueType;
using config::WordOrder;

RegisterSpec spec(ValueType type, WordOrder order = WordOrder::high_first, double scale = 1.0,
                  double offset = 0.0) {
  RegisterSpec s;
  s.type = type;
  s.word_order = order;
  s.scale = scale;
  s.offset = offset;
  return s;
}

struct CodecCase {
  const char* name;
  RegisterSpec spec;
  double value;
  Rounding rounding;
  std::vector<std::uint16_t> words;  // empty: refused (does not fit)
  double decoded;                    // what the words read back as
};

class Codec : public ::testing::TestWithParam<CodecCase> {};

TEST_P(Codec, EncodesToTheWordsAndDecodesBack) {
  const CodecCase& c = GetParam();
  auto words = config::encode(c.spec, c.value, c.rounding);
  if (c.words.empty()) {
    EXPECT_FALSE(words.has_value()) << c.name;
    return;
  }
  ASSERT_TRUE(words.has_value()) << c.name;
  EXPECT_EQ(std::vector<std::uint16_t>(words->words.begin(), words->words.begin() + words->count),
            c.words);
  EXPECT_NEAR(config::decode(c.spec, c.words), c.decoded, 1e-6);
}

constexpr auto H = WordOrder::high_first;
constexpr auto L = WordOrder::low_first;

INSTANTIATE_TEST_SUITE_P(
    Types, Codec,
    ::testing::Values(
        CodecCase{"u16", spec(ValueType::u16), 1234, Rounding::nearest, {1234}, 1234},
        CodecCase{"u16_tenths", spec(ValueType::u16, H, 0.1), 20.0, Rounding::nearest, {200}, 20},
        CodecCase{"u16_max", spec(ValueType::u16), 65535, Rounding::nearest, {65535}, 65535},
        CodecCase{"u16_over", spec(ValueType::u16), 65536, Rounding::nearest, {}, 0},
        CodecCase{"u16_negative", spec(ValueType::u16), -1, Rounding::nearest, {}, 0},
        CodecCase{"s16_negative",
                  spec(ValueType::s16, H, 0.1),
                  -12.5,
                  Rounding::nearest,
                  {static_cast<std::uint16_t>(-125)},
                  -12.5},
        CodecCase{"s16_min", spec(ValueType::s16), -32768, Rounding::nearest, {0x8000}, -32768},
        CodecCase{"s16_under", spec(ValueType::s16), -32769, Rounding::nearest, {}, 0},
        CodecCase{"u32_high_first",
                  spec(ValueType::u32, H),
                  70000,
                  Rounding::nearest,
                  {0x0001, 0x1170},
                  70000},
        CodecCase{"u32_low_first",
                  spec(ValueType::u32, L),
                  70000,
                  Rounding::nearest,
                  {0x1170, 0x0001},
                  70000},
        CodecCase{
            "u32_scaled", spec(ValueType::u32, H, 0.1), 20.0, Rounding::nearest, {0, 200}, 20},
        CodecCase{"s32_negative_high",
                  spec(ValueType::s32, H),
                  -2,
                  Rounding::nearest,
                  {0xFFFF, 0xFFFE},
                  -2},
        CodecCase{"s32_negative_low",
                  spec(ValueType::s32, L),
                  -70000,
                  Rounding::nearest,
                  {0xEE90, 0xFFFE},
                  -70000},
        CodecCase{"f32_high_first",
                  spec(ValueType::f32, H),
                  1.5,
                  Rounding::nearest,
                  {0x3FC0, 0x0000},
                  1.5},
        CodecCase{"f32_low_first",
                  spec(ValueType::f32, L),
                  -2.0,
                  Rounding::nearest,
                  {0x0000, 0xC000},
                  -2.0},
        CodecCase{"f32_scaled_no_rounding",
                  spec(ValueType::f32, H, 0.5),
                  0.3,
                  Rounding::down,
                  {0x3F19, 0x999A},
                  0.3},
        CodecCase{
            "offset", spec(ValueType::s16, H, 0.1, -40.0), 21.5, Rounding::nearest, {615}, 21.5},
        CodecCase{
            "offset_below_zero", spec(ValueType::u16, H, 1.0, 10.0), 5.0, Rounding::nearest, {}, 0},
        // A limit is never rounded past: down for an amplitude, up for a period.
        CodecCase{
            "round_nearest", spec(ValueType::u16, H, 0.1), 19.96, Rounding::nearest, {200}, 20},
        CodecCase{"round_down", spec(ValueType::u16, H, 0.1), 19.96, Rounding::down, {199}, 19.9},
        CodecCase{"round_up", spec(ValueType::u16, H, 0.01), 3.001, Rounding::up, {301}, 3.01},
        CodecCase{"round_down_negative",
                  spec(ValueType::s16),
                  -1.5,
                  Rounding::down,
                  {static_cast<std::uint16_t>(-2)},
                  -2},
        // 0.3 / 0.1 is 2.9999999999999996 in binary: still 3, not 2, rounding down.
        CodecCase{"binary_noise", spec(ValueType::u16, H, 0.1), 0.3, Rounding::down, {3}, 0.3},
        CodecCase{
            "seconds_in_tenths", spec(ValueType::u16, H, 0.1), 0.45, Rounding::down, {4}, 0.4},
        CodecCase{"nan", spec(ValueType::f32), std::nan(""), Rounding::nearest, {}, 0}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(CodecRange, IsWhatTheTypeCarriesInEngineeringUnits) {
  auto [low, high] = config::engineering_range(spec(ValueType::s16, H, 0.1, 5.0));
  EXPECT_DOUBLE_EQ(low, -3276.8 + 5.0);
  EXPECT_DOUBLE_EQ(high, 3276.7 + 5.0);
}

TEST(CodecSwitch, WritesOnlyItsBitsAndReadsTheValuesThatMeanOn) {
  RegisterSpec run;
  run.mask = 0x0003;  // a Delta-style run/stop field: 10b run, 01b stop
  run.on = 0x0002;
  run.off = 0x0001;
  EXPECT_EQ(config::encode_switch(run, true), (config::BitsWrite{0xFFFC, 0x0002}));
  EXPECT_EQ(config::encode_switch(run, false), (config::BitsWrite{0xFFFC, 0x0001}));
  EXPECT_TRUE(config::decode_flag(run, 0x0022));
  EXPECT_FALSE(config::decode_flag(run, 0x0021));
  RegisterSpec low_active;  // a quick-stop bit that is active at 0
  low_active.mask = 1U << 2;
  low_active.on = 0;
  low_active.off = 1U << 2;
  EXPECT_EQ(config::encode_switch(low_active, true), (config::BitsWrite{0xFFFB, 0}));
  EXPECT_TRUE(config::decode_flag(low_active, 0x0000));
  EXPECT_FALSE(config::decode_flag(low_active, 0x0004));
  RegisterSpec any;  // a fault code register read as a flag: on when not 0
  any.flag_on_nonzero = true;
  EXPECT_TRUE(config::decode_flag(any, 17));
  EXPECT_FALSE(config::decode_flag(any, 0));
}

TEST(RegisterWriteMerge, BitsOfOneRegisterQueuedTogetherBecomeOneWrite) {
  using devices::RegisterWrite;
  auto enable = RegisterWrite::bits(0xFFFE, 0x0001, false);
  auto run = RegisterWrite::bits(0xFFFD, 0x0002, false);
  RegisterWrite both = enable.then(run);
  EXPECT_EQ(both.apply(0x0020), 0x0023);  // the "remote" bit 5 is kept
  auto stop = RegisterWrite::bits(0xFFFC, 0x0000, false);
  EXPECT_EQ(both.then(stop).apply(0x0023), 0x0020);
  // A whole value, then bits: the bits applied to it.
  EXPECT_EQ(RegisterWrite::single(0x00F0).then(run), RegisterWrite::single(0x00F2));
  // Bits, then a whole value: the value.
  EXPECT_EQ(run.then(RegisterWrite::single(7)), RegisterWrite::single(7));
}

TEST(RegisterWriteHold, RefusesOnlyWritesThatWouldChangeAHeldBit) {
  using devices::RegisterWrite;
  auto held = RegisterWrite::bits(0xFFFC, 0x0000, false);                // enable and run held off
  EXPECT_FALSE(RegisterWrite::bits(0xFFFE, 0x0001, false).keeps(held));  // enable on
  EXPECT_TRUE(RegisterWrite::bits(0xFFEF, 0x0010, false).keeps(held));   // direction bit 4
  EXPECT_TRUE(RegisterWrite::bits(0xFFFE, 0x0000, false).keeps(held));   // enable off again
  EXPECT_FALSE(RegisterWrite::single(0x0001).keeps(held));
  EXPECT_TRUE(RegisterWrite::single(0x0010).keeps(held));
  auto whole = RegisterWrite::single(0);
  EXPECT_FALSE(RegisterWrite::single(1).keeps(whole));
  EXPECT_TRUE(RegisterWrite::single(0).keeps(whole));
  EXPECT_FALSE(RegisterWrite::pair(0, 1).keeps(RegisterWrite::pair(0, 0)));
}

TEST(PlanReads, GroupsEachTableIntoTheFewestRequestsOfAtMost125) {
  auto at = [](config::RegisterTable table, std::uint16_t address, ValueType type) {
    RegisterSpec s;
    s.table = table;
    s.address = address;
    s.type = type;
    return s;
  };
  using T = config::RegisterTable;
  auto blocks =
      devices::plan_reads({at(T::holding, 30, ValueType::u16), at(T::holding, 31, ValueType::s16),
                           at(T::holding, 32, ValueType::u32), at(T::holding, 200, ValueType::u16),
                           at(T::input, 0, ValueType::u16), at(T::holding, 154, ValueType::u16)});
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].kind, devices::RegisterKind::holding);
  EXPECT_EQ(blocks[0].address, 30);
  EXPECT_EQ(blocks[0].count, 125);  // 30 to 154
  EXPECT_EQ(blocks[1].address, 200);
  EXPECT_EQ(blocks[1].count, 1);
  EXPECT_EQ(blocks[2].kind, devices::RegisterKind::input);
}

}  // namespace
}  // namespace sensoryd
