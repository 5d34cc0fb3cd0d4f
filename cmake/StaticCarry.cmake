# DLC_STATIC_CARRY (the gpu-carry preset): link everything but glibc
# statically, so the binaries run on a machine without Abseil, LLVM or a
# matching libstdc++ (the GPU machine scripts/gpu_check.sh runs on).
#
# Debian's Abseil CMake targets name the shared libraries; the static
# archives sit beside them, so each target is pointed at its .a. LLVM's
# component targets are static already, but LLVMSupport asks for libz3.so
# (used only by the clang static analyzer's solver) and the shared zstd.
if(NOT DLC_STATIC_CARRY)
  return()
endif()

get_property(_dlc_imported DIRECTORY PROPERTY IMPORTED_TARGETS)
foreach(_t IN LISTS _dlc_imported)
  if(NOT _t MATCHES "^absl::")
    continue()
  endif()
  get_target_property(_type ${_t} TYPE)
  if(NOT _type STREQUAL "SHARED_LIBRARY")
    continue()
  endif()
  foreach(_config NONE RELEASE NOCONFIG)
    get_target_property(_loc ${_t} IMPORTED_LOCATION_${_config})
    if(_loc)
      string(REGEX REPLACE "\\.so(\\.[0-9.]+)?$" ".a" _static "${_loc}")
      if(NOT EXISTS "${_static}")
        message(FATAL_ERROR "DLC_STATIC_CARRY: no static archive ${_static} for ${_t}")
      endif()
      set_target_properties(${_t} PROPERTIES IMPORTED_LOCATION_${_config} "${_static}" IMPORTED_NO_SONAME TRUE)
    endif()
  endforeach()
endforeach()

if(TARGET LLVMSupport)
  get_target_property(_support_libs LLVMSupport INTERFACE_LINK_LIBRARIES)
  list(FILTER _support_libs EXCLUDE REGEX "z3")
  list(TRANSFORM _support_libs REPLACE "^zstd::libzstd_shared$" "/usr/lib/x86_64-linux-gnu/libzstd.a")
  set_target_properties(LLVMSupport PROPERTIES INTERFACE_LINK_LIBRARIES "${_support_libs}")
endif()
# LLVM's config sets LLVM_LINK_LLVM_DYLIB: code that links LLVM through
# llvm_config() or the `LLVM` target must link components here instead.
set(LLVM_LINK_LLVM_DYLIB OFF)
