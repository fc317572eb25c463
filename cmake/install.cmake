# `cmake --install`: headers, libraries, a CMake package (find_package(avio)
# giving avio::avio and avio::c) and pkg-config files (avio.pc, avio-c.pc).
include(CMakePackageConfigHelpers)

set_target_properties(avio_c PROPERTIES EXPORT_NAME c)
install(TARGETS avio avio_c EXPORT avioTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/avio DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT avioTargets NAMESPACE avio:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/avio)

configure_package_config_file(cmake/avioConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/avioConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/avio)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/avioConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/avioConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/avioConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/avio)

# The libraries are static: the .pc files name everything a link needs,
# the C++ runtime included, so `cc prog.c $(pkg-config --cflags --libs avio-c)` works.
set(AVIO_PC_EXTRA_LIBS "-lcrypto")  # the crypto and md5 protocols use OpenSSL
# Relocatable: the prefix is found from where the .pc file lies.
file(RELATIVE_PATH AVIO_PC_PREFIX_FROM_PCDIR "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
configure_file(cmake/avio.pc.in ${CMAKE_CURRENT_BINARY_DIR}/avio.pc @ONLY)
configure_file(cmake/avio-c.pc.in ${CMAKE_CURRENT_BINARY_DIR}/avio-c.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/avio.pc ${CMAKE_CURRENT_BINARY_DIR}/avio-c.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
