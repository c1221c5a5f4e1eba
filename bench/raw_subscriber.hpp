// A measuring MQTT subscriber with no timing of its own: MQTT 3.1.1 over a blocking loopback
// socket, QoS 0, each PUBLISH stamped the moment it is read. (Paho C, which the tests' Tablet
// uses, sleeps 100 ms in its receive thread after a second without traffic: a bench that waits
// in between measures that sleep, not the daemon.)
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace sensoryd::bench {

class RawSubscriber {
 public:
  struct Message {
    std::string topic;
    std::string payload;
    std::chrono::steady_clock::time_point at;
    bool retained = false;  // sent because it was retained when this subscriber subscribed
    double wall = 0.0;      // when it was read, in seconds since the epoch (the simulators' clock)
  };

  RawSubscriber(int port, const std::string& client_id, const std::string& filter) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("raw subscriber: cannot connect to the broker");
    }
    // CONNECT: protocol "MQTT" level 4, clean session, keep-alive 0 (the broker never expects
    // a ping), then SUBSCRIBE (packet id 1, QoS 0).
    std::string connect_body = str("MQTT") + '\x04' + '\x02' + '\x00' + '\x00' + str(client_id);
    send_packet('\x10', connect_body);
    if (read_packet().type != 0x20) throw std::runtime_error("raw subscriber: no CONNACK");
    send_packet('\x82', std::string("\x00\x01", 2) + str(filter) + '\x00');
    if (read_packet().type != 0x90) throw std::runtime_error("raw subscriber: no SUBACK");
  }
  ~RawSubscriber() { close(fd_); }
  RawSubscriber(const RawSubscriber&) = delete;
  RawSubscriber& operator=(const RawSubscriber&) = delete;

  // The next PUBLISH, or nullopt when none comes within `timeout`.
  std::optional<Message> next(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        return std::nullopt;
      }
      Packet packet = read_packet();
      if ((packet.type & 0xF0) != 0x30) continue;
      auto topic_length = static_cast<std::size_t>(static_cast<unsigned char>(packet.body[0]) << 8 |
                                                   static_cast<unsigned char>(packet.body[1]));
      std::size_t skip = 2 + topic_length + ((packet.type & 0x06) != 0 ? 2 : 0);
      return Message{packet.body.substr(2, topic_length), packet.body.substr(skip), packet.at,
                     (packet.type & 0x01) != 0, packet.wall};
    }
  }

 private:
  struct Packet {
    int type = 0;
    std::string body;
    std::chrono::steady_clock::time_point at;
    double wall = 0.0;
  };

  static std::string str(const std::string& s) {
    return std::string{static_cast<char>(s.size() >> 8), static_cast<char>(s.size() & 0xFF)} + s;
  }

  void send_packet(char type, const std::string& body) {
    std::string packet(1, type);
    std::size_t length = body.size();
    do {
      auto byte = static_cast<char>(length % 128);
      length /= 128;
      packet += static_cast<char>(length > 0 ? (byte | 0x80) : byte);
    } while (length > 0);
    packet += body;
    if (write(fd_, packet.data(), packet.size()) != static_cast<ssize_t>(packet.size())) {
      throw std::runtime_error("raw subscriber: write failed");
    }
  }

  void read_exact(char* into, std::size_t n) {
    while (n > 0) {
      ssize_t got = read(fd_, into, n);
      if (got <= 0) throw std::runtime_error("raw subscriber: the broker closed the connection");
      into += got;
      n -= static_cast<std::size_t>(got);
    }
  }

  Packet read_packet() {
    Packet packet;
    char byte = 0;
    read_exact(&byte, 1);
    packet.at = std::chrono::steady_clock::now();
    packet.wall =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    packet.type = static_cast<unsigned char>(byte);
    std::size_t length = 0;
    for (std::size_t shift = 0;; shift += 7) {
      read_exact(&byte, 1);
      length |= static_cast<std::size_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) break;
    }
    packet.body.resize(length);
    if (length > 0) read_exact(packet.body.data(), length);
    return packet;
  }

  int fd_ = -1;
};

}  // namespace sensoryd::bench
