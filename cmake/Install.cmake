# dlc as an installable C++ package.
#
# The tree builds static libraries (one per folder) that the dlc binary and
# the tests link. For installation they are gathered into two shared
# libraries:
#
#   libdlc_runtime.so  every library of runtime/ (dlc_runtime, _cpu, _cuda,
#                      _artifact, _model), dlc_ir_core, dlc_support: tensors,
#                      tensor files, loading and running compiled models
#                      (include/dlc/runtime.h); no LLVM, NVRTC, front end,
#                      passes or code generation.
#   libdlc.so          the API of include/dlc/dlc.h and the whole compiler
#                      (LLVM and LLD linked statically, their symbols
#                      hidden); links libdlc_runtime.so.
#
# `cmake --install` puts them with include/dlc/*.h, bin/dlc, a CMake package
# (find_package(dlc) gives dlc::runtime and dlc::dlc) and pkg-config files
# (dlc-runtime.pc, dlc.pc). Abseil stays Debian's shared build: the package
# config finds it with find_dependency(absl).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

option(DLC_BUILD_SHARED "Build libdlc.so and libdlc_runtime.so and install them as a package" ON)
if(DLC_STATIC_CARRY)
  # The gpu-carry preset links Abseil's static archives, which are not
  # position-independent; it installs nothing.
  set(DLC_BUILD_SHARED OFF)
endif()
if(NOT DLC_BUILD_SHARED)
  return()
endif()

# The static libraries of this tree that `roots` link, directly or not.
function(dlc_static_closure out)
  set(seen "")
  set(pending ${ARGN})
  while(pending)
    list(POP_FRONT pending t)
    if(NOT TARGET "${t}" OR "${t}" IN_LIST seen)
      continue()
    endif()
    get_target_property(imported ${t} IMPORTED)
    get_target_property(type ${t} TYPE)
    if(imported OR NOT type STREQUAL "STATIC_LIBRARY")
      continue()
    endif()
    list(APPEND seen ${t})
    get_target_property(deps ${t} LINK_LIBRARIES)
    if(deps)
      list(APPEND pending ${deps})
    endif()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

# Every static library defined under `dir` and its subfolders.
function(dlc_libraries_under dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  set(libs "")
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "STATIC_LIBRARY")
      list(APPEND libs ${t})
    endif()
  endforeach()
  foreach(sub IN LISTS subdirs)
    dlc_libraries_under(${sub} more)
    list(APPEND libs ${more})
  endforeach()
  set(${out} ${libs} PARENT_SCOPE)
endfunction()

# ---- What goes into each library. The runtime is every library of
# runtime/ (dlc_runtime, _cpu, _cuda, _artifact, _model, ...) with what they
# link, which must be dlc_ir_core and dlc_support only.
dlc_libraries_under(${PROJECT_SOURCE_DIR}/runtime dlc_runtime_roots)
dlc_static_closure(dlc_runtime_libs ${dlc_runtime_roots})
set(dlc_runtime_bad ${dlc_runtime_libs})
list(REMOVE_ITEM dlc_runtime_bad ${dlc_runtime_roots} dlc_ir_core dlc_support)
if(dlc_runtime_bad)
  message(FATAL_ERROR "the runtime (${dlc_runtime_roots}) must not link the compiler, but links: ${dlc_runtime_bad}")
endif()

dlc_static_closure(dlc_api_libs dlc_api)
set(dlc_compiler_libs ${dlc_api_libs})
list(REMOVE_ITEM dlc_compiler_libs ${dlc_runtime_libs})

# Their objects go into shared libraries: compile them position-independent.
set_target_properties(${dlc_runtime_libs} ${dlc_compiler_libs} PROPERTIES POSITION_INDEPENDENT_CODE ON)

# Every symbol a shared library uses must be defined (by it or the libraries
# it links), which keeps the compiler out of the runtime; sanitizer builds
# leave their runtimes' symbols to the executable.
set(dlc_shared_link_options -Wl,--as-needed)
if(NOT CMAKE_CXX_FLAGS MATCHES "sanitize")
  list(APPEND dlc_shared_link_options -Wl,--no-undefined)
endif()

set(dlc_so_version ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})

function(dlc_objects_of out)
  set(objects "")
  foreach(lib IN LISTS ARGN)
    list(APPEND objects $<TARGET_OBJECTS:${lib}>)
  endforeach()
  set(${out} ${objects} PARENT_SCOPE)
endfunction()

# ---- libdlc_runtime.so
dlc_objects_of(dlc_runtime_objects ${dlc_runtime_libs})
add_library(dlc_runtime_shared SHARED ${dlc_runtime_objects})
# Linking the static libraries too brings their own dependencies (Abseil,
# zlib, threads, libdl); every symbol of theirs is already in the objects.
target_link_libraries(dlc_runtime_shared
  PUBLIC absl::status absl::statusor
  PRIVATE ${dlc_runtime_libs})
target_include_directories(dlc_runtime_shared INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(dlc_runtime_shared INTERFACE cxx_std_20)
target_link_options(dlc_runtime_shared PRIVATE ${dlc_shared_link_options})
set_target_properties(dlc_runtime_shared PROPERTIES
  OUTPUT_NAME dlc_runtime EXPORT_NAME runtime
  VERSION ${PROJECT_VERSION} SOVERSION ${dlc_so_version}
  LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib)
add_library(dlc::runtime ALIAS dlc_runtime_shared)

# ---- libdlc.so
dlc_objects_of(dlc_compiler_objects ${dlc_compiler_libs})
add_library(dlc_shared SHARED ${dlc_compiler_objects})
# The runtime comes first on the link line, so the runtime's static archives
# that the compiler's libraries name after it add nothing: one copy of the
# runtime in a process.
target_link_libraries(dlc_shared
  PUBLIC dlc_runtime_shared
  PRIVATE ${dlc_compiler_libs})
# Only dlc's own symbols are exported: LLVM's stay inside, so an application
# may use another LLVM.
target_link_options(dlc_shared PRIVATE ${dlc_shared_link_options}
  -Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/libdlc.map)
set_target_properties(dlc_shared PROPERTIES
  OUTPUT_NAME dlc EXPORT_NAME dlc
  VERSION ${PROJECT_VERSION} SOVERSION ${dlc_so_version}
  LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib
  LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/libdlc.map
  INSTALL_RPATH "$ORIGIN")
add_library(dlc::dlc ALIAS dlc_shared)

# ---- Installation.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/dlc/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dlc
  FILES_MATCHING PATTERN "*.h")
install(TARGETS dlc_runtime_shared dlc_shared EXPORT dlcTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS dlc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(dlc_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/dlc)
install(EXPORT dlcTargets NAMESPACE dlc:: DESTINATION ${dlc_cmake_dir})
configure_package_config_file(cmake/dlcConfig.cmake.in ${PROJECT_BINARY_DIR}/dlcConfig.cmake
  INSTALL_DESTINATION ${dlc_cmake_dir})
# Before 1.0 a minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dlcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dlcConfig.cmake ${PROJECT_BINARY_DIR}/dlcConfigVersion.cmake
  DESTINATION ${dlc_cmake_dir})

# pkg-config files find the prefix from their own folder, so the tree
# installs anywhere (`cmake --install build/release --prefix DIR`).
set(dlc_pc_prefix "\${pcfiledir}")
file(TO_CMAKE_PATH "${CMAKE_INSTALL_LIBDIR}/pkgconfig" dlc_pc_dir)
string(REPLACE "/" ";" dlc_pc_parts "${dlc_pc_dir}")
foreach(part IN LISTS dlc_pc_parts)
  string(APPEND dlc_pc_prefix "/..")
endforeach()
foreach(pc dlc dlc-runtime)
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${dlc_pc_dir})
endforeach()
