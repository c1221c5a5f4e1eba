// EventType: one table of event kinds and their rules, which the API doc lists in full, and a
// note's text that never reaches the published event.
#include "daemon/session/event_type.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "daemon/session/record.hpp"
#include "tests/support/doc_tables.hpp"

namespace sensoryd {
namespace {

// The `type`s the events table of docs/mqtt-api.md names.
std::set<std::string> documented_event_types() {
  return test::first_cell_names(test::source_text("docs/mqtt-api.md"), "| `type` | fields |");
}

TEST(EventType, EveryTypeHasItsOwnNameAndTheApiDocListsExactlyThese) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < kEventTypeCount; ++i) {
    auto type = static_cast<EventType>(i);
    std::string name{name_of(type)};
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(event_named(name), type) << name;
  }
  EXPECT_EQ(documented_event_types(), names);
  EXPECT_FALSE(event_named("session_start"));
}

TEST(EventType, ANotesTextStaysInTheRecordAndThePublishedEventSaysOnlyItsLength) {
  Record note{EventType::session_note,
              {{"session_id", "s-1"}, {"therapist", "ana"}, {"text", "calmer after the swing"}}};
  Fields told = note.published_fields();
  EXPECT_EQ(told.find("text"), nullptr);
  ASSERT_NE(told.find("text_bytes"), nullptr);
  EXPECT_EQ(std::get<std::int64_t>(*told.find("text_bytes")), 22);
  EXPECT_EQ(told.text("therapist"), "ana");
  EXPECT_EQ(note.fields.text("text"), "calmer after the swing");  // the record keeps it

  Record started{EventType::session_started, {{"session_id", "s-1"}, {"child", "c-1"}}};
  EXPECT_EQ(started.published_fields().text("child"), "c-1");
}

TEST(EventType, OnlyTheLogsOwnFailureIsNeverWrittenToTheLog) {
  for (std::size_t i = 0; i < kEventTypeCount; ++i) {
    auto type = static_cast<EventType>(i);
    EXPECT_TRUE(rules_of(type).published) << name_of(type);
    EXPECT_EQ(rules_of(type).logged, type != EventType::session_log_failed) << name_of(type);
  }
}

}  // namespace
}  // namespace sensoryd
