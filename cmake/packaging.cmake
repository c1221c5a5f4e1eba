# Install layout (FHS) and the Debian package. `cmake --install build --prefix /usr` or
# `cpack -G DEB` in the build directory.
include(GNUInstallDirs)

# The room configuration lives in /etc whatever the prefix (systemd's ConfigurationDirectory=).
set(SENSORYD_CONFIG_DIR /etc/sensoryd CACHE PATH "Where the room configuration is installed")

install(TARGETS sensoryd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS sensoryctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES systemd/sensoryd.service DESTINATION lib/systemd/system)
# The secure room's pieces, as examples a technician installs (docs/security.md).
install(FILES systemd/sensoryd-credentials.conf DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(DIRECTORY config/broker DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(PROGRAMS scripts/provision-room scripts/provision-clinic scripts/clinic-link-status
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES systemd/sensoryd.sysusers DESTINATION lib/sysusers.d RENAME sensoryd.conf)
install(FILES systemd/sensoryd.tmpfiles DESTINATION lib/tmpfiles.d RENAME sensoryd.conf)
# The example room becomes the starting configuration a technician edits.
install(FILES config/examples/room.toml DESTINATION ${SENSORYD_CONFIG_DIR} RENAME sensoryd.toml)
install(DIRECTORY config/examples/profiles DESTINATION ${SENSORYD_CONFIG_DIR})
# Device templates beside it (the room's default templates_dir); a technician adds models here.
install(DIRECTORY config/templates DESTINATION ${SENSORYD_CONFIG_DIR})
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY config/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        PATTERN templates EXCLUDE)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sensoryd)
set(CPACK_PACKAGE_VENDOR "sensoryd developers")
set(CPACK_PACKAGE_CONTACT "sensoryd developers <sensoryd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "controller daemon for pediatric sensory-processing rooms")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mosquitto")
# For the chart of `sensoryd --report-child --chart` only (docs/clinical-record.md).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gnuplot-nox")
set(CPACK_STRIP_FILES ON)
if(CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
  # cmake/toolchain-arm64.cmake: CPack would ask this machine's dpkg, which says amd64. The
  # shared-library dependencies are read by dpkg-shlibdeps from the installed :arm64 libraries
  # (scripts/build-arm64 runs cpack with DEB_HOST_ARCH=arm64).
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
endif()
# A technician's edits to the room file survive upgrades.
file(GLOB example_profiles RELATIVE ${PROJECT_SOURCE_DIR}/config/examples/profiles
     ${PROJECT_SOURCE_DIR}/config/examples/profiles/*.toml)
set(conffiles "${SENSORYD_CONFIG_DIR}/sensoryd.toml\n")
foreach(profile ${example_profiles})
  string(APPEND conffiles "${SENSORYD_CONFIG_DIR}/profiles/${profile}\n")
endforeach()
file(GLOB device_templates RELATIVE ${PROJECT_SOURCE_DIR}/config/templates
     ${PROJECT_SOURCE_DIR}/config/templates/*.toml)
foreach(template ${device_templates})
  string(APPEND conffiles "${SENSORYD_CONFIG_DIR}/templates/${template}\n")
endforeach()
file(WRITE ${PROJECT_BINARY_DIR}/debian/conffiles "${conffiles}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/systemd/debian/postinst;${PROJECT_SOURCE_DIR}/systemd/debian/prerm;${PROJECT_BINARY_DIR}/debian/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
