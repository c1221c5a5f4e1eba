// Where the room's broker is, from [mqtt] uri: host, port and whether it speaks TLS. One parser
// for the loader (which refuses a bad uri at file:line:col) and the MQTT link (which connects).
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace sensoryd::config {

struct BrokerAddress {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  int port = 0;
  bool tls = false;
  bool operator==(const BrokerAddress&) const = default;
};

// tcp:// and mqtt:// (port 1883 when none is given), ssl:// and mqtts:// (8883); an IPv6 host
// in brackets: tcp://[::1]:1883. Anything else: what is wrong, in a sentence.
std::variant<BrokerAddress, std::string> parse_broker_uri(std::string_view uri);

}  // namespace sensoryd::config
