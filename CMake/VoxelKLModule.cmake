# voxelkl_add_module(<name> [SOURCES ...] [LINK ...] [HEADER_ONLY])
# A module is Modules/<Group>/<Name>/{include,src,test}. It builds one library
# VoxelKL::<name> (static, or INTERFACE when HEADER_ONLY), installs its headers and
# joins the exported package that find_package(VoxelKL) loads.
function(voxelkl_add_module name)
  cmake_parse_arguments(arg "HEADER_ONLY" "" "SOURCES;LINK" ${ARGN})
  set(include_dir ${CMAKE_CURRENT_SOURCE_DIR}/include)
  if(arg_HEADER_ONLY)
    add_library(${name} INTERFACE)
    set(scope INTERFACE)
  else()
    add_library(${name} STATIC ${arg_SOURCES})
    set(scope PUBLIC)
    voxelkl_target_options(${name})
    set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
  add_library(VoxelKL::${name} ALIAS ${name})
  target_include_directories(${name} ${scope}
    $<BUILD_INTERFACE:${include_dir}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/VoxelKL>)
  target_link_libraries(${name} ${scope} ${arg_LINK})
  target_compile_features(${name} ${scope} cxx_std_17)
  install(TARGETS ${name} EXPORT VoxelKLTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY ${include_dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/VoxelKL)
  if(VOXELKL_BUILD_TESTING AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test/CMakeLists.txt)
    add_subdirectory(test)
  endif()
endfunction()

# voxelkl_add_gtest(<name> SOURCES ... LINK ...): one GoogleTest executable, its cases
# registered with CTest one by one.
function(voxelkl_add_gtest name)
  cmake_parse_arguments(arg "" "" "SOURCES;LINK" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  voxelkl_target_options(${name})
  target_link_libraries(${name} PRIVATE ${arg_LINK} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "VOXELKL_TEST_DATA=${VOXELKL_TEST_DATA_DIR}")
endfunction()

# voxelkl_add_executable(<name>): Applications/<name>/<name>.cxx, linked with the pipeline
# and the command-line module, installed into bin.
function(voxelkl_add_executable name)
  add_executable(${name} ${name}.cxx)
  voxelkl_target_options(${name})
  target_link_libraries(${name} PRIVATE VoxelKLPipeline VoxelKLCommandLine fmt::fmt)
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()
