# cmake -DBUILD_DIR=<build> -DWORK_DIR=<scratch> -DBINDIR=bin -DEXECUTABLES=a,b
#       -DCONTROL=<VoxelKLRpathControl> -P CheckInstalledModules.cmake
# Installs VoxelKL into a scratch prefix and checks its bin directory as the folder 3D Slicer
# is given (notes: slicer-cli.md, sections 1, 3): only our CLI executables and their
# sidecars, each sidecar equal to the installed executable's --xml, each executable with a
# DT_RPATH (searched before LD_LIBRARY_PATH; a DT_RUNPATH is searched after it) and running
# with an LD_LIBRARY_PATH whose libraries are all broken, as Slicer's bundled ITK and TBB
# would be for us.
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed: ${ARGN}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/install)
set(bin ${WORK_DIR}/install/${BINDIR})
string(REPLACE "," ";" executables "${EXECUTABLES}")

# Slicer probes every executable in the folder: nothing else may be there.
file(GLOB entries RELATIVE ${bin} ${bin}/*)
set(expected)
foreach(name IN LISTS executables)
  list(APPEND expected ${name} ${name}.xml)
endforeach()
list(SORT entries)
list(SORT expected)
if(NOT entries STREQUAL expected)
  message(FATAL_ERROR "${bin} holds '${entries}', expected '${expected}'")
endif()

# Every library the executables load, as an empty file: the loader fails on any of them.
set(fake ${WORK_DIR}/fake-slicer-libs)
file(MAKE_DIRECTORY ${fake})
foreach(name IN LISTS executables)
  run(ldd ${bin}/${name})
  string(REGEX MATCHALL "[^ \t\n]+\\.so[^ \t\n]* =>" libraries "${out}")
  foreach(library IN LISTS libraries)
    string(REPLACE " =>" "" library "${library}")
    if(NOT library MATCHES "^(linux-vdso|ld-linux)")
      file(TOUCH ${fake}/${library})
    endif()
  endforeach()
endforeach()
file(GLOB faked RELATIVE ${fake} ${fake}/*)
if(NOT faked MATCHES "libITKCommon" OR NOT faked MATCHES "libtbb")
  message(FATAL_ERROR "expected ITK and TBB among the libraries to fake, got: ${faked}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${fake} ${CONTROL}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(status EQUAL 0)
  message(FATAL_ERROR "the control (no RPATH) ran with LD_LIBRARY_PATH=${fake}: the fakes prove nothing")
endif()

foreach(name IN LISTS executables)
  run(readelf -d ${bin}/${name})
  if(NOT out MATCHES "\\(RPATH\\)" OR out MATCHES "\\(RUNPATH\\)")
    message(FATAL_ERROR "${name}: expected a DT_RPATH and no DT_RUNPATH:\n${out}")
  endif()
  string(REGEX MATCH "Library rpath: \\[[^]]*\\]" rpath "${out}")
  execute_process(COMMAND ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${fake} ITK_AUTOLOAD_PATH= ${bin}/${name} --xml
    WORKING_DIRECTORY ${bin}
    TIMEOUT 5
    RESULT_VARIABLE status OUTPUT_VARIABLE xml ERROR_VARIABLE err)
  if(NOT status STREQUAL "0" OR NOT err STREQUAL "")
    message(FATAL_ERROR "${name} with LD_LIBRARY_PATH=${fake}: status '${status}'\n${err}")
  endif()
  file(READ ${bin}/${name}.xml sidecar)
  if(NOT sidecar STREQUAL xml)
    message(FATAL_ERROR "${bin}/${name}.xml differs from the installed ${name} --xml")
  endif()
  message("${name}: installed with ${name}.xml; ${rpath}; runs with ${fake} first on LD_LIBRARY_PATH")
endforeach()
