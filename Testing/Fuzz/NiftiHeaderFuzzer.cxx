// libFuzzer target: the NIfTI-1 header parser (ParseNiftiHeader) on the input's first 348
// bytes (a shorter input is padded with zeros), and what a reader computes from its result.
#include "FuzzSupport.h"
#include "NiftiHeader.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t * data, std::size_t size)
{
  std::array<unsigned char, voxelkl::detail::NiftiHeaderBytes> header{};
  std::copy_n(data, std::min(size, header.size()), header.begin());
  voxelkl::fuzz::Expected([&] {
    const voxelkl::detail::NiftiLayout layout = voxelkl::detail::ParseNiftiHeader(header.data(), "fuzz.nii");
    // What the parser promises of an accepted header.
    const bool valid = layout.volumeSize[0] >= 1 && layout.volumeSize[1] >= 1 && layout.volumeSize[2] >= 1 &&
                       layout.volumeCount >= 1 && layout.bytesPerVoxel > 0 &&
                       voxelkl::detail::SupportedTypeName(layout.datatype) != nullptr &&
                       layout.dataOffset >= voxelkl::detail::NiftiHeaderBytes && layout.slope != 0.0 &&
                       std::isfinite(layout.slope) && std::isfinite(layout.intercept);
    if (!valid)
    {
      std::abort();
    }
  });
  return 0;
}
