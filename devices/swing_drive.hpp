// A swing drive or rotary platform over Modbus, as its configured register map says: turns
// supervisor-approved outputs into writes in the drive's own units and bits, keeps its comm-loss
// watchdog configured (in the register's unit, read back) and fed, writes its setup, and reports
// readings and health. One model of devices::Drive.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/model.hpp"
#include "config/register_keys.hpp"
#include "devices/drive.hpp"
#include "devices/health.hpp"
#include "devices/register_io.hpp"
#include "devices/swing_output.hpp"
#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

// Today's status word (the short form `status`): bit0 ready, bit1 running, bit2 fault, bit3 comm
// lost; for tests that set what the simulator's drive reports.
namespace status_bits {
constexpr std::uint16_t ready = 1U << 0;
constexpr std::uint16_t running = 1U << 1;
constexpr std::uint16_t fault = 1U << 2;
constexpr std::uint16_t comm_lost = 1U << 3;
}  // namespace status_bits

class SwingDrive final : public Drive {
 public:
  // Resolves every key of the drive's map once. A map without a key the drive needs
  // (config::required_swing_keys, or no stop switch) is refused with std::invalid_argument
  // naming the key: the loader refuses such a room first, so this guards rooms built in code.
  SwingDrive(std::string id, config::SwingDrive config, RegisterBus& bus, int lost_after_polls = 3);
  // The reads the drive makes at each poll (its readings in the fewest requests).
  static std::vector<ReadBlock> polled_reads(const config::SwingDrive& config);

  // Registers the status poll and link handler; call before the bus starts.
  void attach();

  void apply(const SwingOutput& output) override;
  void hold_stop() override;
  void release_stop() override;
  void confirm_stop(std::function<void(bool)> done) override;
  // Also declares the drive lost when readings stop arriving at all (a bus that hangs
  // delivers neither answers nor failures).
  void tick(Clock::time_point now) override;

  bool ready_for_motion() const override { return usable(health_.health()) && watchdog_confirmed_; }
  Health health() const override { return health_.health(); }
  bool watchdog_confirmed() const override { return watchdog_confirmed_; }
  const SwingReading& reading() const override { return reading_; }
  const std::string& id() const override { return id_; }
  config::Millis comm_loss_timeout() const override { return config_.comm_loss_timeout; }
  bool rotary() const override { return config_.rotary; }
  const std::string& health_detail() const override { return health_.detail(); }
  void on_change(std::function<void()> handler) override { on_change_ = std::move(handler); }

 private:
  void link_changed(bool connected, const std::string& detail);
  // The read-backs one connection's configuration waits for.
  struct Confirmation {
    int generation;
    std::shared_ptr<int> pending;
  };
  using Matches = std::function<bool(const std::vector<std::uint16_t>&)>;
  void configure_watchdog();
  void verified_write(const std::string& what, const config::RegisterSpec& target,
                      const RegisterWrite& write, Matches matches,
                      const Confirmation& confirmation);
  void confirm_one(const Confirmation& confirmation);
  void poll_result(std::size_t block, const ReadResult& result);
  void update_reading();
  void notify();
  // Where the map puts `key`, or nullptr when it is not mapped (an optional key).
  const config::RegisterSpec* spec(config::SwingKey key) const {
    return specs_[static_cast<std::size_t>(key)];
  }
  // Each writes only what changed since the last write of that key (on this connection).
  void write_key(config::SwingKey key, const RegisterWrite& write);
  void write_number(config::SwingKey key, double value, config::Rounding rounding);
  void write_toggle(config::SwingKey key, bool on);
  void write_code(config::SwingKey key, std::uint16_t raw);
  void stop_switches();
  bool moving_visibly() const;  // enough that the angle must change between polls

  std::string id_;
  config::SwingDrive config_;
  // Each key's spec in config_.registers, resolved once (null: not mapped).
  std::array<const config::RegisterSpec*, config::kSwingKeyCount> specs_{};
  RegisterBus& bus_;
  HealthTracker health_;
  RegisterImage image_;
  // Per register, the write that stops the drive (its stop switches combined), for hold_stop().
  std::vector<std::pair<std::uint16_t, RegisterWrite>> stop_writes_;

  bool link_up_ = false;
  bool watchdog_confirmed_ = false;
  // The drive has read its comm-loss flag clear on this link: a latch from now on is a stall of
  // sensoryd's (S6). One already set when the link came up is from while sensoryd was away.
  bool comm_lost_armed_ = false;
  int confirm_generation_ = 0;  // ignores read-backs from an earlier connection
  SwingReading reading_;
  std::array<std::optional<RegisterWrite>, config::kSwingKeyCount> last_written_;
  std::uint16_t heartbeat_counter_ = 0;
  std::optional<Clock::time_point> next_heartbeat_;
  std::optional<Clock::time_point> last_valid_reading_;
  std::optional<Clock::time_point> last_angle_change_;
  bool frozen_ = false;  // the readings stopped changing while the drive says it moves
  static constexpr std::chrono::milliseconds kFrozenAfter{2000};
  static constexpr double kFrozenCheckAmplitudeDeg = 3.0;  // below it, small moves may not show
  static constexpr double kFrozenCheckSpeedRevS = 0.02;    // 7 deg/s: the heading must move
  std::optional<Clock::time_point> last_tick_;
  std::function<void()> on_change_;
};

}  // namespace sensoryd::devices
