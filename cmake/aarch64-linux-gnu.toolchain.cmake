# Cross-compiles Latch for 64-bit ARM Linux (a Raspberry Pi on Debian 12 / Raspberry Pi OS
# bookworm) with Debian 12's cross toolchain (g++-aarch64-linux-gnu) and arm64 libraries.
# scripts/setup-aarch64.sh installs both; scripts/build.sh aarch64 uses this file:
#   cmake -S . -B build/aarch64 -G Ninja -DLATCH_TESTS=OFF \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.toolchain.cmake
#
# Libraries are searched, in this order, in
#   - LATCH_AARCH64_DEPS (default build/aarch64/arm64-deps): arm64 packages that setup-aarch64.sh
#     unpacked because installing them would have changed amd64 packages (see there);
#   - / with Debian's multiarch layout: /usr/lib/aarch64-linux-gnu (arm64 packages installed
#     with dpkg), headers in /usr/include (architecture-independent: Boost, CLI11, toml++...).
# Never /usr/lib/x86_64-linux-gnu: host libraries and their CMake packages stay invisible.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(LATCH_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${LATCH_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${LATCH_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${LATCH_TRIPLET})

if(NOT LATCH_AARCH64_DEPS)
  if(DEFINED ENV{LATCH_AARCH64_DEPS})
    set(LATCH_AARCH64_DEPS "$ENV{LATCH_AARCH64_DEPS}")
  else()
    get_filename_component(LATCH_AARCH64_DEPS "${CMAKE_CURRENT_LIST_DIR}/../build/aarch64/arm64-deps"
                           ABSOLUTE)
  endif()
endif()
# try_compile() projects read this file again: hand them the same value.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES LATCH_AARCH64_DEPS)

set(CMAKE_FIND_ROOT_PATH "${LATCH_AARCH64_DEPS}" /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)  # build tools (ccache, pkg-config) run on the host
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Boost is used header-only: take the architecture-independent headers in /usr/include rather
# than the amd64 BoostConfig.cmake.
set(Boost_NO_BOOST_CMAKE ON)

# pkg-config (used by some Find modules for hints) must only see arm64 .pc files.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${LATCH_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

if(IS_DIRECTORY "${LATCH_AARCH64_DEPS}/usr")
  # Unpacked headers come before /usr/include (the host's versions of the same packages);
  # <openssl/configuration.h> lives in the multiarch include directory.
  set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES
      "${LATCH_AARCH64_DEPS}/usr/include/${LATCH_TRIPLET}" "${LATCH_AARCH64_DEPS}/usr/include")
  set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES ${CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES})
  # Unpacked libraries depend on each other (libssl.so.3 on libcrypto.so.3).
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,${LATCH_AARCH64_DEPS}/usr/lib/${LATCH_TRIPLET}")
  set(CMAKE_SHARED_LINKER_FLAGS_INIT "${CMAKE_EXE_LINKER_FLAGS_INIT}")
endif()
# The binary is for the Pi, whose libraries are in the standard places: no RUNPATH into this
# build machine's directories.
set(CMAKE_SKIP_BUILD_RPATH ON)
