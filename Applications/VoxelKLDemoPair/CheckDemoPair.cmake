# cmake -DGENERATOR=<VoxelKLDemoPair> -DWORK_DIR=<dir> -P CheckDemoPair.cmake
# Runs the generator at a small size and checks its files, its determinism and its
# one-line error for a bad option.
file(REMOVE_RECURSE ${WORK_DIR})

function(run_generator directory)
  execute_process(COMMAND ${GENERATOR} --outputDirectory ${directory} --size 13,15,11
      --timePoints 24 ${ARGN}
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "VoxelKLDemoPair ${ARGN} exited with '${status}': ${errors}")
  endif()
endfunction()

function(check_files directory extension)
  foreach(name reference${extension} generated${extension} mask.nii.gz distortions.nii.gz)
    if(NOT EXISTS ${directory}/${name})
      message(FATAL_ERROR "VoxelKLDemoPair did not write ${directory}/${name}")
    endif()
  endforeach()
endfunction()

run_generator(${WORK_DIR}/a)
check_files(${WORK_DIR}/a .nii)
run_generator(${WORK_DIR}/b)
foreach(name reference.nii generated.nii distortions.nii.gz)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK_DIR}/a/${name} ${WORK_DIR}/b/${name}
    RESULT_VARIABLE different)
  if(different)
    message(FATAL_ERROR "VoxelKLDemoPair is not deterministic: ${name} differs between runs")
  endif()
endforeach()
run_generator(${WORK_DIR}/c --type int16 --compress --seed 7 --spacing 3,3,3.5,0.8)
check_files(${WORK_DIR}/c .nii.gz)

execute_process(COMMAND ${GENERATOR} --outputDirectory ${WORK_DIR}/d --size 13,0,11
  RESULT_VARIABLE status ERROR_VARIABLE errors)
if(NOT status EQUAL 1 OR NOT errors MATCHES "^VoxelKLDemoPair: error: [^\n]*\n$")
  message(FATAL_ERROR "bad --size: expected exit 1 and one error line, got '${status}': ${errors}")
endif()
