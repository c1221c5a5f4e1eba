// ModbusContext on libmodbus 3.1.6: one modbus_t per bus, TCP (host names and IPv6 through
// modbus_new_tcp_pi) or RTU.
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>

#include <modbus.h>

#include "devices/transport/modbus_bus.hpp"
#include "devices/transport/modbus_context.hpp"

namespace sensoryd::devices {

namespace {

// The bus acts on a failure's kind; only here are libmodbus's and the system's codes known.
ModbusStatus failed(int error) {
  switch (error) {
    case ETIMEDOUT:
      return {ModbusFailure::timeout, error};
    case EMBBADDATA:  // an answer that is not to the request sent
      return {ModbusFailure::out_of_step, error};
    case EMBBADCRC:
      return {ModbusFailure::garbled, error};
    case ECONNRESET:
    case ECONNREFUSED:
    case EPIPE:
    case EBADF:
    case ENOTCONN:
    case EIO:
    case ENOENT:  // a serial adapter that was unplugged
    case ENODEV:
    case ENXIO:
      return {ModbusFailure::link, error};
    default:
      return {ModbusFailure::other, error};
  }
}

class LibmodbusContext final : public ModbusContext {
 public:
  explicit LibmodbusContext(const BusSettings& settings) : settings_(settings) {}
  ~LibmodbusContext() override { close(); }

  ModbusStatus connect() override {
    close();
    if (settings_.rtu) {
      ctx_ = modbus_new_rtu(settings_.device.c_str(), settings_.baud, settings_.parity,
                            settings_.data_bits, settings_.stop_bits);
    } else {
      std::string port = std::to_string(settings_.port);
      ctx_ = modbus_new_tcp_pi(settings_.host.c_str(), port.c_str());
    }
    if (ctx_ == nullptr) return failed(errno != 0 ? errno : EINVAL);
    set_response_timeout(settings_.response_timeout);
    if (modbus_connect(ctx_) == -1) {
      int error = errno;  // read before modbus_free can clobber it
      modbus_free(ctx_);
      ctx_ = nullptr;
      return failed(error);
    }
    socket_fd_.store(modbus_get_socket(ctx_));
    return {};
  }

  void set_response_timeout(std::chrono::milliseconds timeout) override {
    if (ctx_ == nullptr) return;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    modbus_set_response_timeout(ctx_, static_cast<std::uint32_t>(us / 1'000'000),
                                static_cast<std::uint32_t>(us % 1'000'000));
  }

  void close() override {
    if (ctx_ == nullptr) return;
    socket_fd_.store(-1);
    modbus_close(ctx_);
    modbus_free(ctx_);
    ctx_ = nullptr;
  }

  ModbusStatus read(int unit, RegisterKind kind, std::uint16_t address, std::uint16_t count,
                    std::vector<std::uint16_t>& values) override {
    if (ctx_ == nullptr) return failed(ENOTCONN);
    modbus_set_slave(ctx_, unit);
    values.assign(count, 0);
    int rc = -1;
    if (kind == RegisterKind::discrete || kind == RegisterKind::coil) {
      std::vector<std::uint8_t> bits(count);
      rc = kind == RegisterKind::coil ? modbus_read_bits(ctx_, address, count, bits.data())
                                      : modbus_read_input_bits(ctx_, address, count, bits.data());
      int error = errno;
      if (rc != count) return failed(error);
      std::copy(bits.begin(), bits.end(), values.begin());
      return {};
    }
    rc = kind == RegisterKind::holding
             ? modbus_read_registers(ctx_, address, count, values.data())
             : modbus_read_input_registers(ctx_, address, count, values.data());
    int error = errno;  // read before anything else can clobber it
    return rc == count ? ModbusStatus{} : failed(error);
  }

  ModbusStatus write(int unit, std::uint16_t address, std::uint16_t value) override {
    if (ctx_ == nullptr) return failed(ENOTCONN);
    modbus_set_slave(ctx_, unit);
    int written = modbus_write_register(ctx_, address, value);
    int error = errno;
    return written == 1 ? ModbusStatus{} : failed(error);
  }

  ModbusStatus write_many(int unit, std::uint16_t address,
                          std::span<const std::uint16_t> values) override {
    if (ctx_ == nullptr) return failed(ENOTCONN);
    modbus_set_slave(ctx_, unit);
    auto count = static_cast<int>(values.size());
    int written = modbus_write_registers(ctx_, address, count, values.data());
    int error = errno;
    return written == count ? ModbusStatus{} : failed(error);
  }

  ModbusStatus write_coil(int unit, std::uint16_t address, bool on) override {
    if (ctx_ == nullptr) return failed(ENOTCONN);
    modbus_set_slave(ctx_, unit);
    int written = modbus_write_bit(ctx_, address, on ? 1 : 0);
    int error = errno;
    return written == 1 ? ModbusStatus{} : failed(error);
  }

  ModbusStatus mask_write(int unit, std::uint16_t address, std::uint16_t and_mask,
                          std::uint16_t or_mask) override {
    if (ctx_ == nullptr) return failed(ENOTCONN);
    modbus_set_slave(ctx_, unit);
    int written = modbus_mask_write_register(ctx_, address, and_mask, or_mask);
    int error = errno;
    return written == 1 ? ModbusStatus{} : failed(error);
  }

  void flush() override {
    if (ctx_ != nullptr) modbus_flush(ctx_);
  }

  void abort() override {
    int fd = socket_fd_.load();
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }

  std::string describe(int error) const override {
    std::string text = modbus_strerror(error);
    if (!settings_.rtu) return text;
    // Opening a serial port: what a technician checks (docs/hardware.md).
    switch (error) {
      case ENOENT:
      case ENODEV:
        return text + " (is the USB adapter plugged in? name it by /dev/serial/by-id/)";
      case EACCES:
        return text + " (the sensoryd user needs the dialout group)";
      case EBUSY:
        return text + " (another program holds the port: ModemManager, a getty, a terminal)";
      default:
        return text;
    }
  }

 private:
  const BusSettings settings_;
  modbus_t* ctx_ = nullptr;
  std::atomic<int> socket_fd_{-1};  // read by abort() from another thread
};

}  // namespace

std::unique_ptr<ModbusContext> make_libmodbus_context(const BusSettings& settings) {
  return std::make_unique<LibmodbusContext>(settings);
}

}  // namespace sensoryd::devices
