// The provisioned broker's files against what sensoryd does: what sensoryd publishes about the
// room is what tablets and monitoring may read (config/broker/acl.in, scripts/provision-room),
// and the API doc states sensoryd's own inbound ceiling as the code has it.
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "daemon/preview/profile_preview.hpp"
#include "daemon/record/status_json.hpp"
#include "devices/transport/mqtt_link.hpp"
#include "tests/support/doc_tables.hpp"

namespace sensoryd {
namespace {

// The room's topics sensoryd writes (its ACL block, "topic write sensoryd/@ROOM@/<t>"), but for
// the command topics it writes only to clear a retained command.
std::set<std::string> sensoryd_state_topics() {
  std::istringstream acl(test::source_text("config/broker/acl.in"));
  std::set<std::string> topics;
  bool in_block = false;
  const std::string prefix = "topic write sensoryd/@ROOM@/";
  for (std::string line; std::getline(acl, line);) {
    if (line.rfind("user ", 0) == 0) in_block = line == "user @SENSORYD@";
    if (!in_block || line.rfind(prefix, 0) != 0) continue;
    std::string topic = line.substr(prefix.size());
    if (topic.find("cmd/") == std::string::npos) topics.insert(topic);
  }
  return topics;
}

// What provision-room lets tablets and monitoring read (and sends up a clinic uplink): its
// `room_topics=(...)` list.
std::set<std::string> room_reads() {
  std::string script = test::source_text("scripts/provision-room");
  auto start = script.find("room_topics=(");
  if (start == std::string::npos) return {};
  start += std::string{"room_topics=("}.size();
  std::string list = script.substr(start, script.find(')', start) - start);
  std::istringstream words(list);
  std::set<std::string> topics;
  for (std::string word; words >> word;) {
    if (word == "\\") continue;
    if (word.size() > 1 && word.front() == '\'') word = word.substr(1, word.size() - 2);
    topics.insert(word);
  }
  return topics;
}

TEST(BrokerConfig, TabletsAndMonitoringReadEveryStateTopicSensorydWritesAndNoCommand) {
  std::set<std::string> state = sensoryd_state_topics();
  ASSERT_GE(state.size(), 8u);
  EXPECT_EQ(room_reads(), state);
}

TEST(BrokerConfig, TheApiDocStatesTheInboundCeilingTheLinkHas) {
  std::string doc = test::source_text("docs/mqtt-api.md");
  EXPECT_NE(doc.find(std::to_string(MqttLink::kMaxInboundBytes) + " byte ceiling"),
            std::string::npos);
  EXPECT_NE(doc.find(std::to_string(MqttLink::kMaxInboundBytes / 1024) + " KiB"),
            std::string::npos);
}

// The broker's max_packet_size: a client that publishes more is disconnected.
std::size_t broker_max_packet_size() {
  std::istringstream conf(test::source_text("config/broker/mosquitto-secure.conf.in"));
  for (std::string line; std::getline(conf, line);) {
    if (line.rfind("max_packet_size ", 0) == 0) return std::stoul(line.substr(16));
  }
  return 0;
}

TEST(BrokerConfig, SensorydsLargestMessagesFitTheBrokersPacketWithRoomForTopicAndHeader) {
  std::size_t packet = broker_max_packet_size();
  ASSERT_GT(packet, 0u);
  constexpr std::size_t kTopicAndHeader = 4 * 1024;  // topic, properties, the reply's envelope
  EXPECT_LE(preview::kMaxPreviewReplyBytes + kTopicAndHeader, packet);
  EXPECT_LE(kMaxProfilesMessageBytes + kTopicAndHeader, packet);
  EXPECT_LE(MqttLink::kMaxInboundBytes + kTopicAndHeader, packet);
}

}  // namespace
}  // namespace sensoryd
