// The one list of actions (daemon/session/action.hpp) against what the API doc and the tablet
// page list: an action added in one place and not the others fails here.
#include "daemon/session/action.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "daemon/session/command.hpp"
#include "test_paths.hpp"

namespace sensoryd {
namespace {

std::string read(const std::string& relative) {
  std::ifstream file(std::string{SENSORYD_SOURCE_DIR} + "/" + relative);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The first cells of the table that begins with `header`, up to the next blank line.
std::set<std::string> first_cells(const std::string& text, const std::string& header) {
  auto start = text.find(header);
  if (start == std::string::npos) return {};
  std::istringstream table(text.substr(start, text.find("\n\n", start) - start));
  std::set<std::string> names;
  std::regex cell(R"(^\| `([a-z_]+)` \|)");
  for (std::string line; std::getline(table, line);) {
    std::smatch m;
    if (std::regex_search(line, m, cell)) names.insert(m[1]);
  }
  return names;
}

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
  EXPECT_EQ(first_cells(read("docs/mqtt-api.md"), "| Action | Fields | Effect | Errors |"),
            actions());
}

TEST(ActionTable, TheTabletPageNamesEveryActionInWords) {
  std::string page = read("tablet/room-state.js");
  auto start = page.find("const ACTION_WORDS = {");
  ASSERT_NE(start, std::string::npos);
  std::string block = page.substr(start, page.find("};", start) - start);
  std::set<std::string> keys;
  std::regex key(R"(\n\s+([a-z_]+):)");
  for (std::sregex_iterator it(block.begin(), block.end(), key), done; it != done; ++it) {
    keys.insert((*it)[1]);
  }
  EXPECT_EQ(keys, actions());
}

TEST(ActionTable, AnUnknownActionIsAnsweredWithTheWholeList) {
  auto parsed = parse_command("spin", "{}", std::chrono::system_clock::now());
  const auto* error = std::get_if<CommandError>(&parsed);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, "unknown_action");
  EXPECT_NE(error->message.find(action_list()), std::string::npos);
  EXPECT_NE(action_list().find("note or response"), std::string::npos);
}

}  // namespace
}  // namespace sensoryd
