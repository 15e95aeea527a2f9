# Installs the CMake package so that another project can write
#   find_package(VoxelKL REQUIRED)  and link VoxelKL::VoxelKLFilters.
include(CMakePackageConfigHelpers)
set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/VoxelKL)
install(EXPORT VoxelKLTargets NAMESPACE VoxelKL:: DESTINATION ${config_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/CMake/VoxelKLConfig.cmake.in
  ${PROJECT_BINARY_DIR}/VoxelKLConfig.cmake INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/VoxelKLConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/VoxelKLConfig.cmake
  ${PROJECT_BINARY_DIR}/VoxelKLConfigVersion.cmake DESTINATION ${config_dir})
