# voxelkl_add_module(<name> [SOURCES ...] [LINK ...] [HEADER_ONLY] [NO_TESTS])
# A module is Modules/<Group>/<Name>/{include,src,test}. It builds one library
# VoxelKL::<name> (static, or INTERFACE when HEADER_ONLY), installs its headers and
# joins the exported package that find_package(VoxelKL) loads. A module of two libraries
# calls this twice, the first with NO_TESTS (its test directory is added once, by the second).
function(voxelkl_add_module name)
  cmake_parse_arguments(arg "HEADER_ONLY;NO_TESTS" "" "SOURCES;LINK" ${ARGN})
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
  if(VOXELKL_BUILD_TESTING AND NOT arg_NO_TESTS AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test/CMakeLists.txt)
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

# Scripts the functions below run at build time.
set(VOXELKL_CMAKE_DIR ${CMAKE_CURRENT_LIST_DIR})

# The directories of the shared libraries our executables load (ITK, oneTBB, Boost, fmt,
# zlib, libdeflate, ISA-L, libstdc++), resolved once. 3D Slicer starts its CLI modules with its own
# LD_LIBRARY_PATH, which lists its bundled ITK and TBB; these directories go into every
# executable's DT_RPATH, which the loader searches before LD_LIBRARY_PATH (a DT_RUNPATH,
# the linker's default, is searched after it).
function(voxelkl_dependency_rpath out)
  get_property(known GLOBAL PROPERTY VOXELKL_DEPENDENCY_RPATH SET)
  if(NOT known)
    set(directories)
    foreach(target IN LISTS ITK_LIBRARIES ITEMS TBB::tbb Boost::program_options fmt::fmt ZLIB::ZLIB PNG::PNG PkgConfig::LIBDEFLATE
        PkgConfig::ISAL)
      if(TARGET ${target})
        get_target_property(imported ${target} IMPORTED)
        get_target_property(type ${target} TYPE)
        set(locations)
        if(imported AND type MATCHES "^(SHARED|UNKNOWN)_LIBRARY$")
          get_target_property(locations ${target} LOCATION)
        elseif(imported AND type STREQUAL "INTERFACE_LIBRARY")
          # pkg-config's IMPORTED_TARGET (libdeflate, ISA-L) lists the libraries' full paths.
          get_target_property(locations ${target} INTERFACE_LINK_LIBRARIES)
        endif()
        foreach(location IN LISTS locations)
          if(IS_ABSOLUTE "${location}" AND location MATCHES "\\.so")
            get_filename_component(directory "${location}" DIRECTORY)
            get_filename_component(directory "${directory}" REALPATH)
            list(APPEND directories "${directory}")
          endif()
        endforeach()
      endif()
    endforeach()
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libstdc++.so.6
      OUTPUT_VARIABLE libstdcxx OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(IS_ABSOLUTE "${libstdcxx}")
      get_filename_component(libstdcxx "${libstdcxx}" REALPATH)
      get_filename_component(directory "${libstdcxx}" DIRECTORY)
      list(APPEND directories "${directory}")
    endif()
    list(REMOVE_DUPLICATES directories)
    set_property(GLOBAL PROPERTY VOXELKL_DEPENDENCY_RPATH "${directories}")
  endif()
  get_property(directories GLOBAL PROPERTY VOXELKL_DEPENDENCY_RPATH)
  set(${out} "${directories}" PARENT_SCOPE)
endfunction()

# voxelkl_add_executable(<name>): Applications/<name>/<name>.cxx, linked with the pipeline
# and the command-line module, installed into bin as a 3D Slicer CLI module:
# - <name>.xml, the output of `<name> --xml`, is written beside the executable after each
#   link (the build fails if --xml fails, is slow, writes to stderr or is not XML) and
#   installed beside it: Slicer reads it instead of running --xml;
# - the RPATH (DT_RPATH, not DT_RUNPATH) names the directories of our shared dependencies,
#   so that Slicer's LD_LIBRARY_PATH cannot substitute its own ITK or TBB;
# - the name joins the global property VOXELKL_EXECUTABLES, which Testing/Slicer tests.
function(voxelkl_add_executable name)
  add_executable(${name} ${name}.cxx)
  voxelkl_target_options(${name})
  target_link_libraries(${name} PRIVATE VoxelKLPipeline VoxelKLArguments VoxelKLCommandLine VoxelKLNiftiImageIO fmt::fmt)
  voxelkl_dependency_rpath(rpath)
  set_target_properties(${name} PROPERTIES BUILD_RPATH "${rpath}" INSTALL_RPATH "${rpath}")
  target_link_options(${name} PRIVATE "LINKER:--disable-new-dtags")
  set(xml $<TARGET_FILE_DIR:${name}>/${name}.xml)
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -DEXECUTABLE=$<TARGET_FILE:${name}> -DOUTPUT=${xml}
      -P ${VOXELKL_CMAKE_DIR}/VoxelKLSlicerXml.cmake
    COMMENT "Writing the 3D Slicer module description ${name}.xml"
    VERBATIM)
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${xml} DESTINATION ${CMAKE_INSTALL_BINDIR})
  set_property(GLOBAL APPEND PROPERTY VOXELKL_EXECUTABLES ${name})
endfunction()
