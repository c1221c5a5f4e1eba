// Swing motor drive over Modbus: turns supervisor-approved outputs into register writes, keeps
// the drive's comm-loss watchdog configured and fed, and reports readings and health. One model
// of devices::Drive: sensoryd's own register map, as the swing simulator speaks it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "config/model.hpp"
#include "devices/drive.hpp"
#include "devices/health.hpp"
#include "devices/swing_output.hpp"
#include "devices/transport/register_bus.hpp"

namespace sensoryd::devices {

// Status word bits of the drive (config's register map names the register).
namespace status_bits {
constexpr std::uint16_t ready = 1U << 0;
constexpr std::uint16_t running = 1U << 1;
constexpr std::uint16_t fault = 1U << 2;
constexpr std::uint16_t comm_lost = 1U << 3;
}  // namespace status_bits

// Value written to the comm-loss action register: ramp to a stop, then disable.
constexpr std::uint16_t kCommLossActionRampStop = 1;

class SwingDrive final : public Drive {
 public:
  SwingDrive(std::string id, config::SwingDrive config, RegisterBus& bus, int lost_after_polls = 3);

  // Registers the status poll and link handler; call before the bus starts.
  void attach();

  void apply(const SwingOutput& output) override;
  void hold_stop() override { bus_.hold(config_.modbus.unit, config_.registers.control, 0); }
  void release_stop() override { bus_.release(config_.modbus.unit, config_.registers.control); }
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
  void configure_watchdog();
  void poll_result(const ReadResult& result);
  void notify();
  void write_if_changed(std::uint16_t address, std::uint16_t value);
  bool moving_visibly() const;  // enough that the angle must change between polls

  std::string id_;
  config::SwingDrive config_;
  RegisterBus& bus_;
  HealthTracker health_;
  std::uint16_t poll_first_ = 0;
  std::uint16_t poll_count_ = 0;

  bool link_up_ = false;
  bool watchdog_confirmed_ = false;
  int confirm_generation_ = 0;  // ignores read-backs from an earlier connection
  SwingReading reading_;
  std::map<std::uint16_t, std::uint16_t> last_written_;
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
