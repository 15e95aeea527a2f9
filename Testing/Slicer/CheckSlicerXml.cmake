# cmake -DEXECUTABLE=<exe> -DSIDECAR=<exe>.xml -DCHECKER=<VoxelKLSlicerXmlCheck>
#       -DCATEGORY=<category> [-DXMLLINT=<xmllint>] -P CheckSlicerXml.cmake
# One executable against 3D Slicer's CLI contract (notes: slicer-cli.md, sections 1, 2, 6):
# `--xml` run as Slicer runs it exits 0 within 5 s, writes nothing on stderr and starts with
# `<?xml `; it equals the sidecar <exe>.xml; the sidecar is well formed and uses only what
# Slicer's parser accepts (VoxelKLSlicerXmlCheck, and xmllint when installed); every long
# flag it declares is one the executable takes.
get_filename_component(name "${EXECUTABLE}" NAME)
get_filename_component(directory "${EXECUTABLE}" DIRECTORY)
if(name MATCHES "\\.|Module|Lib$|Tests?$")
  message(FATAL_ERROR "${name}: Slicer ignores or renames executables with '.', 'Module', 'Lib' or 'Test'")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} -E env ITK_AUTOLOAD_PATH= ${EXECUTABLE} --xml
  WORKING_DIRECTORY ${directory}
  TIMEOUT 5
  RESULT_VARIABLE status
  OUTPUT_VARIABLE xml
  ERROR_VARIABLE errors)
if(NOT status STREQUAL "0")
  message(FATAL_ERROR "${name} --xml: exit status '${status}' (Slicer waits 5 s)\n${errors}")
endif()
if(NOT errors STREQUAL "")
  message(FATAL_ERROR "${name} --xml wrote to stderr:\n${errors}")
endif()
string(SUBSTRING "${xml}" 0 6 head)
if(NOT head STREQUAL "<?xml ")
  message(FATAL_ERROR "${name} --xml: the first bytes are '${head}', not '<?xml '")
endif()

if(NOT EXISTS "${SIDECAR}")
  message(FATAL_ERROR "${SIDECAR} is missing: voxelkl_add_executable writes it after linking")
endif()
file(READ "${SIDECAR}" sidecar)
if(NOT sidecar STREQUAL xml)
  message(FATAL_ERROR "${SIDECAR} differs from `${name} --xml`: Slicer would read a stale description")
endif()

execute_process(COMMAND ${CHECKER} ${SIDECAR} ${CATEGORY}
  RESULT_VARIABLE status OUTPUT_VARIABLE flags ERROR_VARIABLE problems)
if(NOT status STREQUAL "0")
  message(FATAL_ERROR "${name}: the description breaks Slicer's parser rules:\n${problems}")
endif()
if(XMLLINT)
  execute_process(COMMAND ${XMLLINT} --noout ${SIDECAR} RESULT_VARIABLE status ERROR_VARIABLE problems)
  if(NOT status STREQUAL "0" OR NOT problems STREQUAL "")
    message(FATAL_ERROR "${name}: xmllint rejects the description:\n${problems}")
  endif()
  set(xmllint_note " and xmllint")
endif()

# Each flag alone: the command fails (required options are missing) but must not call the
# flag unknown. A boolean is a bare switch; other values are separate tokens, as Slicer
# passes them.
string(REPLACE "\n" ";" flags "${flags}")
set(count 0)
foreach(line IN LISTS flags)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE " " ";" fields "${line}")
  list(GET fields 0 element)
  list(GET fields 1 flag)
  if(element STREQUAL "boolean")
    set(arguments --${flag})
  else()
    set(arguments --${flag} 1)
  endif()
  execute_process(COMMAND ${EXECUTABLE} ${arguments} TIMEOUT 20
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(err MATCHES "unknown option|takes no value|missing value")
    message(FATAL_ERROR "${name} ${arguments}: the XML declares a flag the command does not take:\n${err}")
  endif()
  math(EXPR count "${count} + 1")
endforeach()
message("${name}: --xml equals ${SIDECAR}, passes the parser rules${xmllint_note}; ${count} flags taken")
