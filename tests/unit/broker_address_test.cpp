// [mqtt] uri -> where the MQTT link connects: the schemes, default ports, IPv6, and what is
// refused with a sentence (the loader puts it at file:line:col).
#include "config/broker_address.hpp"

#include <gtest/gtest.h>

namespace sensoryd::config {
namespace {

BrokerAddress parsed(std::string_view uri) {
  auto result = parse_broker_uri(uri);
  if (auto* why = std::get_if<std::string>(&result)) ADD_FAILURE() << uri << ": " << *why;
  auto* address = std::get_if<BrokerAddress>(&result);
  return address ? *address : BrokerAddress{};
}

std::string refusal(std::string_view uri) {
  auto result = parse_broker_uri(uri);
  auto* why = std::get_if<std::string>(&result);
  return why ? *why : "(accepted)";
}

TEST(BrokerAddress, EachSchemeGivesItsHostPortAndTls) {
  EXPECT_EQ(parsed("tcp://127.0.0.1:1884"), (BrokerAddress{"127.0.0.1", 1884, false}));
  EXPECT_EQ(parsed("mqtt://broker.local"), (BrokerAddress{"broker.local", 1883, false}));
  EXPECT_EQ(parsed("ssl://localhost:8884"), (BrokerAddress{"localhost", 8884, true}));
  EXPECT_EQ(parsed("mqtts://room-3.clinic"), (BrokerAddress{"room-3.clinic", 8883, true}));
  EXPECT_EQ(parsed("tcp://127.0.0.1:1883/"), (BrokerAddress{"127.0.0.1", 1883, false}));
}

TEST(BrokerAddress, AnIpv6HostIsInBrackets) {
  EXPECT_EQ(parsed("tcp://[::1]:1885"), (BrokerAddress{"::1", 1885, false}));
  EXPECT_EQ(parsed("mqtts://[fe80::1]"), (BrokerAddress{"fe80::1", 8883, true}));
  EXPECT_NE(refusal("tcp://[::1:1883").find("never closes it"), std::string::npos);
  EXPECT_NE(refusal("tcp://[::1]1883").find("other than :port"), std::string::npos);
}

TEST(BrokerAddress, RefusesWhatCannotBeConnectedTo) {
  EXPECT_NE(refusal("http://127.0.0.1:1883").find("must start with tcp://"), std::string::npos);
  EXPECT_NE(refusal("tcp://:1883").find("names no host"), std::string::npos);
  EXPECT_NE(refusal("tcp://127.0.0.1:").find("no port after it"), std::string::npos);
  EXPECT_NE(refusal("tcp://127.0.0.1:0").find("a port is 1 to 65535"), std::string::npos);
  EXPECT_NE(refusal("tcp://127.0.0.1:65536").find("a port is 1 to 65535"), std::string::npos);
  EXPECT_NE(refusal("tcp://127.0.0.1:18x3").find("port \"18x3\""), std::string::npos);
  EXPECT_NE(refusal("tcp://user@127.0.0.1:1883").find("host:port"), std::string::npos);
  EXPECT_NE(refusal("tcp://127.0.0.1/ws").find("host:port"), std::string::npos);
}

}  // namespace
}  // namespace sensoryd::config
