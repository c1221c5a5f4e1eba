// Which command a topic names and whose: the open path and the authenticated one, and every
// topic that must not pass for a command.
#include <gtest/gtest.h>

#include "daemon/app/command_topic.hpp"

namespace sensoryd {
namespace {

TEST(CommandTopic, TheOpenPathNamesAnActionAndNoUser) {
  auto topic = parse_command_topic("sensoryd/r/cmd/start", "sensoryd/r/");
  ASSERT_TRUE(topic);
  EXPECT_EQ(topic->action, "start");
  EXPECT_EQ(topic->user, "");
}

TEST(CommandTopic, TheAuthenticatedPathNamesTheUser) {
  auto topic = parse_command_topic("sensoryd/r/user/ana/cmd/estop", "sensoryd/r/");
  ASSERT_TRUE(topic);
  EXPECT_EQ(topic->action, "estop");
  EXPECT_EQ(topic->user, "ana");
}

TEST(CommandTopic, AnythingElseIsNoCommand) {
  for (const char* topic : {
           "sensoryd/r/session",             // the room's own state
           "sensoryd/r2/cmd/start",          // another room
           "sensoryd/r/cmd/",                // no action
           "sensoryd/r/cmd/a/b",             // an action with a level in it
           "sensoryd/r/cmd/+",               // wildcards are never names
           "sensoryd/r/user/cmd/start",      // no user level
           "sensoryd/r/user//cmd/start",     // an empty user
           "sensoryd/r/user/ana/start",      // no cmd level
           "sensoryd/r/user/a/b/cmd/start",  // a user with a level in it
           "sensoryd/r/user/+/cmd/start",    // a wildcard user
           "sensoryd/r/user/ana/cmd/a/b",    // an action with a level in it
           "zigbee2mqtt/ceiling/set",        // a device's topic
       }) {
    EXPECT_FALSE(parse_command_topic(topic, "sensoryd/r/")) << topic;
  }
}

}  // namespace
}  // namespace sensoryd
