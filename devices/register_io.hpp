// Configured registers on a RegisterBus: engineering values and switches turned into writes (via
// config's codec), and the fewest polls that read a device's values, decoded back out of them.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "config/register_codec.hpp"
#include "config/register_map.hpp"
#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

RegisterKind kind_of(config::RegisterTable table);

// `value` clamped to what the type carries, then coded: rounding never goes past a bound the
// caller already applied in engineering units.
RegisterWrite number_write(const config::RegisterSpec& spec, double value,
                           config::Rounding rounding);
// A switch's on or off: its bits only (the register's other bits are kept), or the whole
// register, or a coil.
RegisterWrite toggle_write(const config::RegisterSpec& spec, bool on, bool mask_write);
// A raw number (a mode, a heartbeat count) in a one-register value.
RegisterWrite raw_write(const config::RegisterSpec& spec, std::uint16_t raw);

struct ReadBlock {
  RegisterKind kind;
  std::uint16_t address;
  std::uint16_t count;
};

// The fewest reads (each at most 125 registers) that cover every spec, per table.
std::vector<ReadBlock> plan_reads(const std::vector<config::RegisterSpec>& specs);

// The values last read by each of a device's read blocks, and the specs decoded from them.
class RegisterImage {
 public:
  explicit RegisterImage(std::vector<ReadBlock> blocks);

  const std::vector<ReadBlock>& blocks() const { return blocks_; }
  void store(std::size_t block, const std::vector<std::uint16_t>& values);
  void clear();
  // Every block has been read since the last clear().
  bool complete() const;

  std::optional<double> number(const config::RegisterSpec& spec) const;
  std::optional<bool> flag(const config::RegisterSpec& spec) const;
  std::optional<std::uint16_t> raw(const config::RegisterSpec& spec) const;

 private:
  // The spec's words, when a block holding all of them has been read.
  std::optional<config::RegisterWords> words(const config::RegisterSpec& spec) const;

  std::vector<ReadBlock> blocks_;
  std::vector<std::vector<std::uint16_t>> values_;
};

}  // namespace sensoryd::devices
