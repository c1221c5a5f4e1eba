#!/usr/bin/python3
"""The far end of a Modbus RTU serial line, for sensoryd's tests: a swing drive and digital
input modules served by pymodbus (Debian's python3-pymodbus), a Modbus implementation not
written here. Each unit's registers come only from a device template's register map (the
same files a technician gives sensoryd: config/templates/*.toml). The drive keeps its own
comm-loss watchdog, as a real drive does: silent for its timeout, it ramps to a stop.

usage: rtu_devices.py --port TTY [--baud 19200] [--parity E] [--stop-bits 1]
                      --drive UNIT:TEMPLATE [--inputs UNIT:TEMPLATE[=BITS]] ...
                      --control-port N --record FILE

Control port (one line in, one line out, loopback), as sensoryd-modbus-sim's:
`unit UNIT input CHANNEL 0|1`, `status` (the drive's amplitude), `holding NAME` (a drive
register's value).
Recording (JSON lines, as sensoryd-modbus-sim's): each write the drive received, each input
set through the control port, and the drive's events (comm_loss_stop, motion_stopped).
"""

import argparse
import asyncio
import json
import sys
import time
import tomllib

from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer

STEP_S = 0.01  # the drive's own control loop
RISE_DEG_S = 6.0  # how fast the seat's amplitude follows its setpoint
DECEL_DEG_S = 12.0


class Recorder:
    def __init__(self, path):
        self.file = open(path, "a", buffering=1, encoding="utf-8")

    def line(self, **fields):
        fields["t"] = time.time()
        self.file.write(json.dumps(fields) + "\n")


class WrittenBlock(ModbusSequentialDataBlock):
    """Holding registers that tell the drive model of every write sensoryd makes."""

    def __init__(self, size, on_write):
        super().__init__(0, [0] * size)
        self.on_write = on_write

    def setValues(self, address, values):  # pylint: disable=invalid-name
        if not isinstance(values, list):
            values = [values]
        super().setValues(address, values)
        for offset, value in enumerate(values):
            self.on_write(address + offset, value)


class Drive:
    """A swing drive built from a swing_drive template's [registers] (short form: one
    register per value, holding for setpoints, input for readings)."""

    HOLDING = ("control", "mode", "amplitude", "period", "comm_loss_timeout",
               "comm_loss_action", "heartbeat")
    INPUT = ("status", "angle", "measured_amplitude", "fault_code")

    def __init__(self, unit, template, recorder):
        registers = template["registers"]
        missing = [k for k in self.HOLDING + self.INPUT if k not in registers]
        if missing:
            sys.exit(f"rtu_devices: the drive's template lacks registers: {', '.join(missing)}")
        self.unit = unit
        self.at = {k: int(registers[k]) for k in self.HOLDING + self.INPUT}
        self.name_at = {self.at[k]: k for k in self.HOLDING}
        self.recorder = recorder
        size = max(self.at.values()) + 1
        self.holding = WrittenBlock(size, self.written)
        self.inputs = ModbusSequentialDataBlock(0, [0] * size)
        self.amplitude_deg = 0.0
        self.comm_lost = False
        self.last_feed = time.monotonic()

    def get(self, name):
        return self.holding.getValues(self.at[name], 1)[0]

    def written(self, address, value):
        name = self.name_at.get(address, str(address))
        self.recorder.line(type="write", unit=self.unit, register=address, name=name, value=value)
        self.last_feed = time.monotonic()  # any write proves the controller alive
        if self.comm_lost and name == "control":
            # The trip stays until the controller disables deliberately.
            if value == 0:
                self.comm_lost = False
            else:
                ModbusSequentialDataBlock.setValues(self.holding, address, [0])

    def step(self, dt):
        timeout_ms = self.get("comm_loss_timeout")
        silent_s = time.monotonic() - self.last_feed
        if timeout_ms > 0 and not self.comm_lost and silent_s > timeout_ms / 1000.0:
            self.comm_lost = True
            if self.get("comm_loss_action") == 1:
                ModbusSequentialDataBlock.setValues(self.holding, self.at["control"], [0])
            self.recorder.line(type="event", event="comm_loss_stop", unit=self.unit,
                               amplitude_deg=round(self.amplitude_deg, 2))
        on = self.get("control") != 0 and self.get("mode") == 1
        target = self.get("amplitude") / 10.0 if on else 0.0
        was_running = self.amplitude_deg > 0.05
        if target > self.amplitude_deg:
            self.amplitude_deg = min(target, self.amplitude_deg + RISE_DEG_S * dt)
        else:
            self.amplitude_deg = max(target, self.amplitude_deg - DECEL_DEG_S * dt)
        running = self.amplitude_deg > 0.05
        if was_running and not running:
            self.amplitude_deg = 0.0
            self.recorder.line(type="event", event="motion_stopped", unit=self.unit,
                               amplitude_deg=0.0)
        status = (0 if self.comm_lost else 1) | (2 if running else 0) | (8 if self.comm_lost else 0)
        self.inputs.setValues(self.at["status"], [status])
        self.inputs.setValues(self.at["measured_amplitude"], [round(self.amplitude_deg * 10)])
        self.inputs.setValues(self.at["angle"], [0])
        self.inputs.setValues(self.at["fault_code"], [0])

    def context(self):
        return ModbusSlaveContext(hr=self.holding, ir=self.inputs,
                                  di=ModbusSequentialDataBlock(0, [0] * 8),
                                  co=ModbusSequentialDataBlock(0, [0] * 8), zero_mode=True)


class Inputs:
    """A digital input module built from a modbus_input template (`register` says which table:
    discrete_input, or input_register with bits)."""

    def __init__(self, unit, template, initial_bits):
        if template.get("kind") != "modbus_input":
            sys.exit(f"rtu_devices: unit {unit}: the template is not a modbus_input module")
        self.unit = unit
        self.table = template.get("register", "discrete_input")
        self.bits = [0] * 16
        for channel, char in enumerate(initial_bits):
            self.bits[channel] = 1 if char == "1" else 0
        self.discrete = ModbusSequentialDataBlock(0, self.bits[:8])
        self.registers = ModbusSequentialDataBlock(0, [self.word()])

    def word(self):
        return sum(bit << channel for channel, bit in enumerate(self.bits))

    def set(self, channel, value):
        self.bits[channel] = value
        self.discrete.setValues(channel, [value])
        self.registers.setValues(0, [self.word()])

    def context(self):
        return ModbusSlaveContext(di=self.discrete, ir=self.registers,
                                  hr=ModbusSequentialDataBlock(0, [0] * 8),
                                  co=ModbusSequentialDataBlock(0, [0] * 8), zero_mode=True)


def unit_and_template(text):
    unit, _, rest = text.partition(":")
    path, _, bits = rest.partition("=")
    with open(path, "rb") as f:
        return int(unit), tomllib.load(f), bits


async def control_server(port, drive, modules, recorder):
    async def serve(reader, writer):
        while line := await reader.readline():
            words = line.decode().split()
            try:
                if len(words) == 5 and words[0] == "unit" and words[2] == "input":
                    unit, channel, value = int(words[1]), int(words[3]), int(words[4])
                    modules[unit].set(channel, value)
                    recorder.line(event="input", unit=unit, channel=channel, value=value)
                    answer = "ok"
                elif len(words) == 2 and words[0] == "holding":
                    answer = f"ok {drive.get(words[1])}"
                elif words == ["status"]:
                    answer = (f"ok swing amplitude {drive.amplitude_deg:.1f} deg, "
                              f"{'comm lost' if drive.comm_lost else 'fed'}")
                else:
                    answer = "error: unknown command"
            except (KeyError, ValueError, IndexError) as error:
                answer = f"error: {error!r}"
            writer.write((answer + "\n").encode())
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


async def drive_loop(drive):
    last = time.monotonic()
    while True:
        await asyncio.sleep(STEP_S)
        now = time.monotonic()
        drive.step(now - last)
        last = now


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", required=True)
    parser.add_argument("--baud", type=int, default=19200)
    parser.add_argument("--parity", default="E", choices=["N", "E", "O"])
    parser.add_argument("--stop-bits", type=int, default=1)
    parser.add_argument("--drive", required=True)
    parser.add_argument("--inputs", action="append", default=[])
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--record", required=True)
    args = parser.parse_args()

    recorder = Recorder(args.record)
    unit, template, _ = unit_and_template(args.drive)
    drive = Drive(unit, template, recorder)
    slaves = {unit: drive.context()}
    modules = {}
    for text in args.inputs:
        unit, template, bits = unit_and_template(text)
        modules[unit] = Inputs(unit, template, bits)
        slaves[unit] = modules[unit].context()
    context = ModbusServerContext(slaves=slaves, single=False)
    serial = await StartAsyncSerialServer(
        context, framer=ModbusRtuFramer, port=args.port, baudrate=args.baud,
        parity=args.parity, stopbits=args.stop_bits, bytesize=8, defer_start=True,
        auto_reconnect=True, reconnect_delay=0.2)
    await serial.start()
    await asyncio.gather(serial.serve_forever(), drive_loop(drive),
                         control_server(args.control_port, drive, modules, recorder))


if __name__ == "__main__":
    asyncio.run(main())
