// The one list of actions (daemon/session/action.hpp) against what the API doc and the tablet
// page list: an action added in one place and not the others fails here.
#include "daemon/session/action.hpp"

#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "daemon/session/command.hpp"
#include "tests/support/doc_tables.hpp"

namespace sensoryd {
namespace {

std::set<std::string> actions() {
  std::set<std::string> names;
  for (auto name : kActionNames) names.insert(std::string{name});
  return names;
}

TEST(ActionTable, EachActionHasItsOwnNameAndIsParsedByIt) {
  EXPECT_EQ(actions().size(), kActionCount);
  for (std::size_t i = 0; i < kActionCount; ++i) {
    auto action = static_cast<Action>(i);
    EXPECT_EQ(action_from_name(to_string(action)), action);
  }
  EXPECT_FALSE(action_from_name("estop "));
}

TEST(ActionTable, TheApiDocListsExactlyTheseActions) {
  EXPECT_EQ(test::first_cell_names(test::source_text("docs/mqtt-api.md"),
                                   "| Action | Fields | Effect | Errors |"),
            actions());
}

TEST(ActionTable, TheTabletPageNamesEveryActionInWords) {
  std::string page = test::source_text("tablet/room-state.js");
  auto start = page.find("const ACTION_WORDS = {");
  ASSERT_NE(start, std::string::npos);
  // One `  key: 'Words',` a line, up to the closing brace.
  std::istringstream block(page.substr(start, page.find("};", start) - start));
  std::set<std::string> keys;
  std::string line;
  std::getline(block, line);
  while (std::getline(block, line)) {
    auto first = line.find_first_not_of(' ');
    auto colon = line.find(':');
    if (first != std::string::npos && colon != std::string::npos) {
      keys.insert(line.substr(first, colon - first));
    }
  }
  EXPECT_EQ(keys, actions());
}

// The broker's ACL denies monitoring every action but stop and estop, from provision-room's
// list of every action: an action added to the table and not to that list fails here.
// The words of a bash array `name=(...)` in scripts/provision-room.
std::set<std::string> provisioned(const std::string& name) {
  std::string script = test::source_text("scripts/provision-room");
  auto start = script.find(name + "=(");
  if (start == std::string::npos) return {};
  start += name.size() + 2;
  std::istringstream list(script.substr(start, script.find(')', start) - start));
  std::set<std::string> names;
  for (std::string word; list >> word;) names.insert(word);
  return names;
}

TEST(ActionTable, ProvisionRoomsListOfActionsIsTheTable) {
  EXPECT_EQ(provisioned("all_actions"), actions());
}

// Tablets are denied the profile commands unless provisioned as editors, and the plan commands
// unless provisioned as clinical leads, from provision-room's lists of them: an authoring
// action added to the table and to neither list, or to both, fails here.
TEST(ActionTable, ProvisionRoomsEditorAndLeadActionsAreTheAuthoringActions) {
  std::set<std::string> profile_actions;
  std::set<std::string> plan_actions;
  for (Action action : kActions) {
    if (!is_authoring(action)) continue;
    std::string name{to_string(action)};
    (name.starts_with("profile_") ? profile_actions : plan_actions).insert(name);
  }
  EXPECT_EQ(profile_actions.size(), 6u);
  EXPECT_EQ(provisioned("editor_actions"), profile_actions);
  EXPECT_EQ(plan_actions, (std::set<std::string>{"child_plan_save", "child_plan_history"}));
  EXPECT_EQ(provisioned("lead_actions"), plan_actions);
}

TEST(ActionTable, AnUnknownActionIsAnsweredWithTheWholeList) {
  auto parsed = parse_command("spin", "{}", std::chrono::system_clock::now());
  const auto* error = std::get_if<CommandError>(&parsed);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, "unknown_action");
  EXPECT_NE(error->message.find(action_list()), std::string::npos);
  EXPECT_NE(action_list().find("child_plan_save or child_plan_history"), std::string::npos);
}

}  // namespace
}  // namespace sensoryd
