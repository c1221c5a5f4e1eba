// EventType: one table of event kinds and their rules, which the API doc lists in full, and a
// note's text that never reaches the published event.
#include "daemon/session/event_type.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "daemon/session/record.hpp"
#include "test_paths.hpp"

namespace sensoryd {
namespace {

// The `type`s the events table of docs/mqtt-api.md names ("| `a` / `b` | ..." counts both).
std::set<std::string> documented_event_types() {
  std::ifstream doc(std::string{SENSORYD_SOURCE_DIR} + "/docs/mqtt-api.md");
  std::stringstream text;
  text << doc.rdbuf();
  std::string all = text.str();
  auto start = all.find("### `events`");
  auto end = all.find("\n\n", all.find("| `type` | fields |", start));
  std::set<std::string> types;
  std::istringstream table(all.substr(start, end - start));
  std::regex first_cell(R"(^\| ((`[a-z_]+`)( / `[a-z_]+`)*) \|)");
  std::regex name("`([a-z_]+)`");
  for (std::string line; std::getline(table, line);) {
    std::smatch cell;
    if (!std::regex_search(line, cell, first_cell)) continue;
    std::string names = cell[1];
    for (std::sregex_iterator it(names.begin(), names.end(), name), done; it != done; ++it) {
      types.insert((*it)[1]);
    }
  }
  types.erase("type");  // the header
  return types;
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
