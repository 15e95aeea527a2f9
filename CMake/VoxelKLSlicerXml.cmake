# cmake -DEXECUTABLE=<exe> -DOUTPUT=<exe>.xml -P VoxelKLSlicerXml.cmake
# Writes `<exe> --xml` to OUTPUT, the sidecar 3D Slicer reads instead of running --xml, after
# the checks Slicer makes when it does run it: exit 0 within 5 s, nothing on stderr, stdout
# starting with the 6 bytes `<?xml `. Run after every link of a VoxelKL executable
# (voxelkl_add_executable), so that a broken description fails the build.
foreach(variable EXECUTABLE OUTPUT)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "VoxelKLSlicerXml.cmake: -D${variable}=... is required")
  endif()
endforeach()
get_filename_component(name "${EXECUTABLE}" NAME)
get_filename_component(directory "${EXECUTABLE}" DIRECTORY)
# As Slicer runs it: in the executable's directory, ITK_AUTOLOAD_PATH empty.
execute_process(COMMAND ${CMAKE_COMMAND} -E env ITK_AUTOLOAD_PATH= ${EXECUTABLE} --xml
  WORKING_DIRECTORY ${directory}
  TIMEOUT 5
  RESULT_VARIABLE status
  OUTPUT_VARIABLE xml
  ERROR_VARIABLE errors)
if(NOT status STREQUAL "0")
  message(FATAL_ERROR "${name} --xml failed (${status}):\n${errors}")
endif()
if(NOT errors STREQUAL "")
  message(FATAL_ERROR "${name} --xml wrote to stderr, which 3D Slicer reports as an error:\n${errors}")
endif()
string(SUBSTRING "${xml}" 0 6 head)
if(NOT head STREQUAL "<?xml ")
  message(FATAL_ERROR "${name} --xml does not start with '<?xml ', which 3D Slicer requires")
endif()
# Written whole under a temporary name, then renamed: never a truncated sidecar.
file(WRITE "${OUTPUT}.partial" "${xml}")
file(RENAME "${OUTPUT}.partial" "${OUTPUT}")
