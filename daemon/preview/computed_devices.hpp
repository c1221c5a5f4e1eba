// The equipment a profile preview runs against: a drive, fixtures and players that take what
// the safety supervisor and the scene guard send and report it back as done at once, always
// ready. They reach nothing outside the process: a preview is computed, never played (#28).
// What a real drive adds (its own ramps, its report's delay) is not modelled: a real drive at
// rest a little later than its command only lengthens a rotary pause.
#pragma once

#include <optional>
#include <string>

#include "config/device_model.hpp"
#include "devices/drive.hpp"
#include "devices/light_fixture.hpp"
#include "devices/sound_player.hpp"

namespace sensoryd::preview {

class ComputedDrive final : public devices::Drive {
 public:
  ComputedDrive(std::string id, const config::SwingDrive& config)
      : id_(std::move(id)), comm_loss_timeout_(config.comm_loss_timeout), rotary_(config.rotary) {
    reading_.valid = true;
    reading_.ready = true;
  }

  void apply(const devices::SwingOutput& output) override {
    bool moving = output.amplitude_deg() > 0.0 || output.speed_rev_s() > 0.0;
    reading_.running = output.enabled() && moving;
    reading_.amplitude_deg = output.enabled() ? output.amplitude_deg() : 0.0;
    reading_.speed_rev_s = output.enabled() ? output.speed_rev_s() : 0.0;
  }
  void hold_stop() override {}
  void release_stop() override {}
  void confirm_stop(std::function<void(bool)> done) override { done(true); }
  void tick(Clock::time_point) override {}
  bool ready_for_motion() const override { return true; }
  devices::Health health() const override { return devices::Health::online; }
  const std::string& health_detail() const override { return detail_; }
  bool watchdog_confirmed() const override { return true; }
  const devices::SwingReading& reading() const override { return reading_; }
  const std::string& id() const override { return id_; }
  config::Millis comm_loss_timeout() const override { return comm_loss_timeout_; }
  bool rotary() const override { return rotary_; }
  void on_change(std::function<void()>) override {}

 private:
  std::string id_;
  std::string detail_;
  config::Millis comm_loss_timeout_;
  bool rotary_;
  devices::SwingReading reading_;
};

class ComputedLight final : public devices::LightFixture {
 public:
  explicit ComputedLight(std::string id) : id_(std::move(id)) {}

  const std::string& id() const override { return id_; }
  const char* type() const override { return "preview"; }
  void apply(const devices::LightCommand& command, Clock::time_point) override { shown_ = command; }
  devices::Health health() const override { return devices::Health::online; }
  const std::string& health_detail() const override { return detail_; }
  std::optional<devices::LightCommand> reported() const override { return shown_; }
  void on_change(std::function<void()>) override {}

 private:
  std::string id_;
  std::string detail_;
  std::optional<devices::LightCommand> shown_;
};

class ComputedPlayer final : public devices::SoundPlayer {
 public:
  explicit ComputedPlayer(std::string id) : id_(std::move(id)) {}

  const std::string& id() const override { return id_; }
  const char* type() const override { return "preview"; }
  void apply(const devices::SoundCommand& command, Clock::time_point) override {
    played_ = command;
  }
  devices::Health health() const override { return devices::Health::online; }
  const std::string& health_detail() const override { return detail_; }
  std::optional<devices::SoundCommand> reported() const override { return played_; }
  void on_change(std::function<void()>) override {}

 private:
  std::string id_;
  std::string detail_;
  std::optional<devices::SoundCommand> played_;
};

}  // namespace sensoryd::preview
