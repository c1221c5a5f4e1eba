# Cross-compiles sensoryd for 64-bit ARM (a Raspberry Pi 4/5 or a Revolution Pi on Debian
# bookworm arm64) on an amd64 Debian machine, against Debian's multiarch `:arm64` libraries
# (docs/hardware.md). scripts/build-arm64 uses it:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-arm64.cmake
# The tests run through qemu-user (CMAKE_CROSSCOMPILING_EMULATOR): no binfmt_misc needed.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian's multiarch layout: the arm64 libraries and their CMake and pkg-config files live in
# /usr/lib/aarch64-linux-gnu beside the host's; the architecture-independent ones (header-only
# libraries) in /usr/share and /usr/include, shared by both.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# The emulator runs the arm64 tests (and gtest's test discovery) on this machine, and the
# end-to-end tests start the arm64 programs behind it (tests/support/process.hpp). Its -L is
# "/", not the cross compiler's /usr/aarch64-linux-gnu: the arm64 programs find their libraries
# through the machine's ld.so.cache, in /usr/lib/aarch64-linux-gnu (libc6:arm64 and the rest of
# the multiarch packages), and the dynamic loader must be that libc's own, /lib/ld-linux-
# aarch64.so.1. With /usr/aarch64-linux-gnu the loader came from libc6-arm64-cross (2.36-8) and
# libc.so.6 from libc6:arm64 (2.36-9+deb12u14): every pthread_create spun forever in a lock
# (docs/hardware.md).
find_program(SENSORYD_QEMU_AARCH64 qemu-aarch64-static)
if(SENSORYD_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SENSORYD_QEMU_AARCH64} -L /)
endif()
# GCC notes on aarch64 that passing std::pair changed ABI in GCC 10.1: it matters only when
# linking with code built by GCC < 10, and everything here is built by one compiler.
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi")
