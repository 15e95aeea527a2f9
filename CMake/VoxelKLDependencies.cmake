# Third-party packages, all from Debian 12 (CMake/bootstrap.sh installs them).
# The ITK components are listed explicitly: UseITK registers image IO factories only for
# the IO modules named here, so NIfTI, NRRD and MetaImage must all appear.
set(VOXELKL_ITK_COMPONENTS ITKCommon ITKIOImageBase ITKIONIFTI ITKIONRRD ITKIOMeta
  ITKImageGrid ITKImageIntensity ITKImageFunction ITKTransform ITKZLIB ITKNIFTI)
find_package(ITK 5.2 REQUIRED COMPONENTS ${VOXELKL_ITK_COMPONENTS})
include(${ITK_USE_FILE})
find_package(TBB REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(ZLIB REQUIRED)
# Eigen3 (header-only): the linear algebra of the connectivity measures (Cholesky, solves,
# symmetric eigenvalues).
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
# libdeflate compresses the images embedded in the HTML reports (no CMake package in Debian
# 12: pkg-config).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)
# ISA-L inflates the .nii.gz we read, about twice as fast as zlib on x86-64, and deflates the
# .nii.gz maps we write, four times as fast as libdeflate's fastest level; Debian 12's
# libisal-dev ships libisal.pc (no CMake package).
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
# FFTW3 (double) computes the Welch spectra of the spectral agreement maps; Debian 12's
# libfftw3-dev ships fftw3.pc (its CMake package files are incomplete).
pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)
# libpng encodes the PNG images of the HTML reports (in memory).
find_package(PNG REQUIRED)
