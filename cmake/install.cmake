# `cmake --install`: headers, libraries, a CMake package (find_package(avio)
# giving avio::core, avio::avio, avio::c and, when the bridge was built,
# avio::ffmpeg_bridge) and pkg-config files (avio-core.pc, avio.pc, avio-c.pc,
# avio-ffmpeg.pc), one per library:
#   avio_core           the engine: IOContext over callbacks and memory
#   avio                the URL layer and protocols (over avio_core; OpenSSL, zlib, expat, threads)
#   avio_c              the FFmpeg-compatible C API (over avio)
#   avio_ffmpeg_bridge  IOContext as a libavformat AVIOContext (over avio_core)
include(CMakePackageConfigHelpers)

set_target_properties(avio_core PROPERTIES EXPORT_NAME core)
set_target_properties(avio_c PROPERTIES EXPORT_NAME c)
install(TARGETS avio_core avio avio_c EXPORT avioTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/avio DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT avioTargets NAMESPACE avio:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/avio)

# The bridge has its own export file, which avioConfig.cmake includes only
# when pkg-config finds libavformat and libavutil for it.
if(TARGET avio_ffmpeg_bridge)
  set(AVIO_INSTALL_FFMPEG_BRIDGE ON)
  install(TARGETS avio_ffmpeg_bridge EXPORT avioFfmpegBridgeTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY bridges/ffmpeg/include/avio DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT avioFfmpegBridgeTargets NAMESPACE avio:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/avio)
else()
  set(AVIO_INSTALL_FFMPEG_BRIDGE OFF)
endif()

configure_package_config_file(cmake/avioConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/avioConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/avio)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/avioConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/avioConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/avioConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/avio)

# The libraries are static: the .pc files name everything a link needs,
# the C++ runtime included, so `cc prog.c $(pkg-config --cflags --libs avio-c)` works.
# avio-core.pc names no OpenSSL and no threads: the engine uses neither.
# The URL layer: tls (libssl), crypto and md5 (libcrypto), http (zlib), s3 (expat).
set(AVIO_PC_EXTRA_LIBS "-lssl -lcrypto -lz -lexpat")
# Relocatable: the prefix is found from where the .pc file lies.
file(RELATIVE_PATH AVIO_PC_PREFIX_FROM_PCDIR "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
set(AVIO_PC_FILES avio-core avio avio-c)
if(AVIO_INSTALL_FFMPEG_BRIDGE)
  list(APPEND AVIO_PC_FILES avio-ffmpeg)
endif()
foreach(pc IN LISTS AVIO_PC_FILES)
  configure_file(cmake/${pc}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
