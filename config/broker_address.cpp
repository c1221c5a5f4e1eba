#include "config/broker_address.hpp"

#include <charconv>

namespace sensoryd::config {

std::variant<BrokerAddress, std::string> parse_broker_uri(std::string_view uri) {
  struct Scheme {
    std::string_view prefix;
    bool tls;
    int port;
  };
  constexpr Scheme kSchemes[] = {{"tcp://", false, 1883},
                                 {"mqtt://", false, 1883},
                                 {"ssl://", true, 8883},
                                 {"mqtts://", true, 8883}};
  const Scheme* scheme = nullptr;
  for (const auto& s : kSchemes) {
    if (uri.substr(0, s.prefix.size()) == s.prefix) scheme = &s;
  }
  std::string quoted = "MQTT uri \"" + std::string{uri} + "\"";
  if (scheme == nullptr) {
    return quoted +
           " must start with tcp://, mqtt://, ssl:// or mqtts://, e.g. tcp://127.0.0.1:1883";
  }
  BrokerAddress address{{}, scheme->port, scheme->tls};
  std::string_view rest = uri.substr(scheme->prefix.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);  // tcp://host:1883/
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos)
      return quoted + " opens an IPv6 address with [ and never closes it";
    address.host = std::string{rest.substr(1, close - 1)};
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return quoted + " has something other than :port after the IPv6 address";
      port_text = after.substr(1);
      if (port_text.empty()) return quoted + " has a : with no port after it";
    }
  } else {
    auto colon = rest.find(':');
    address.host = std::string{rest.substr(0, colon)};
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return quoted + " has a : with no port after it";
    }
  }
  if (address.host.empty()) return quoted + " names no host, e.g. tcp://127.0.0.1:1883";
  if (address.host.find_first_of("/?#@ ") != std::string::npos) {
    return quoted + " has a host with a path, user or space in it; give only host:port";
  }
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return quoted + " has port \"" + std::string{port_text} + "\"; a port is 1 to 65535";
    }
    address.port = port;
  }
  return address;
}

}  // namespace sensoryd::config
