// The interlock state machine (docs/safety.md S3-S5, S13, S14), in the spirit of PLCopen
// SF_EmergencyStop: causes come and go, trips latch, and only an explicit reset clears a latched
// trip whose condition is gone. Pure logic with time passed in; the supervisor feeds it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sensoryd {

enum class Cause : std::uint8_t {
  estop_input,         // the E-stop chain's status contact reports a press (latches)
  estop_command,       // a tablet sent `estop` (latches)
  device_lost,         // a drive stopped answering (latches)
  device_fault,        // a drive reports a fault (latches)
  safety_input_stale,  // a safety input has no current reading (latches)
  door_open,           // the door or guard is open (pauses motion while it holds)
  lease_lapsed,        // no tablet renewed the supervision lease (winds motion down)
};
const char* to_string(Cause cause);
bool latches(Cause cause);

struct CauseRecord {
  Cause cause;
  std::string source;  // the device, input or "tablet" behind it
  bool active = true;  // the condition holds now
  bool latched = false;
  std::chrono::steady_clock::time_point since;
  std::string detail;  // in words, for the log and the therapist
};

struct InterlockChange {
  enum class Type { tripped, cleared, reset };
  Type type;
  CauseRecord record;
};

class Interlocks {
 public:
  using Clock = std::chrono::steady_clock;

  // Whether the condition `cause` from `source` holds now. A latching cause stays latched when
  // its condition goes away, until reset().
  void set(Cause cause, const std::string& source, bool active, Clock::time_point now,
           const std::string& detail = {});
  // A one-shot trip (the `estop` command): latched at once, its condition already gone.
  void trip(Cause cause, const std::string& source, Clock::time_point now,
            const std::string& detail = {});

  struct ResetResult {
    bool done = false;
    std::string refusal;  // why not, for a therapist; empty when done
  };
  // Clears every latched trip, but only when none of their conditions holds any more (S4).
  ResetResult reset();

  bool tripped() const;             // any trip latched
  bool reset_possible() const;      // tripped, and every latched condition gone
  bool stop_required() const;       // motion must stop now: a trip, or an open door
  bool wind_down_required() const;  // motion must wind down: the lease lapsed
  bool holds(Cause cause) const;    // some source of `cause` is active or latched
  const std::vector<CauseRecord>& causes() const { return causes_; }
  // Trips, clears and resets since the last call, for events and the session log.
  std::vector<InterlockChange> take_changes();

 private:
  CauseRecord* find(Cause cause, const std::string& source);

  std::vector<CauseRecord> causes_;
  std::vector<InterlockChange> changes_;
};

}  // namespace sensoryd
