// The parts of a NIfTI-1 header that a voxel reader needs, checked (private to the module).
#ifndef voxelkl_NiftiHeader_h
#define voxelkl_NiftiHeader_h

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace voxelkl
{
namespace detail
{

constexpr std::size_t NiftiHeaderBytes = 348;

/** Where the voxels are and how to turn them into values. */
struct NiftiLayout
{
  std::array<std::size_t, 3> volumeSize{};
  std::size_t                volumeCount{ 0 };
  int                        datatype{ 0 };
  std::size_t                bytesPerVoxel{ 0 };
  bool                       swap{ false }; // header and voxels in the other byte order
  std::size_t                dataOffset{ 0 };
  bool                       scaled{ false };
  double                     slope{ 1.0 };
  double                     intercept{ 0.0 };
  int                        qformCode{ 0 }; // 0 and 0: no orientation, a grid of pixdim only
  int                        sformCode{ 0 };
  /** pixdim[4] in seconds by xyzt_units (ms and us converted; unknown units: seconds, as
   * FSL and AFNI take them); 0 when the header gives none (or not a positive number). */
  double timeStep{ 0.0 };
  bool   timeUnitsGiven{ false }; ///< xyzt_units names the time unit
};

/** Reads the 348 header bytes of path. Throws InputError(path, problem) for anything but a
 * single-file NIfTI-1 header of a 3D/4D image of a supported voxel type; a field that no
 * valid file holds gives "invalid NIfTI header: FIELD VALUE PROBLEM" (sizeof_hdr, magic,
 * dim, bitpix against datatype, vox_offset >= 352 whole and finite, finite pixdim, finite
 * and bounded qform/sform where their codes say they are used). */
NiftiLayout
ParseNiftiHeader(const unsigned char * bytes, const std::string & path);

/** Deflate turns one compressed byte into at most 1032 (a 258-byte match in 2 bits), and
 * every gzip member adds its own header and trailer: a gzip file of compressedBytes holds
 * at most about 1032 times as many bytes. Throws InputError(path, ...) when the header
 * describes more (data offset and voxels), before anything is allocated or inflated: a
 * 24 KiB .nii.gz claiming 8 GB of voxels is refused at once, not after inflating it all. */
void
CheckCompressedClaim(const NiftiLayout & layout, std::uint64_t compressedBytes, const std::string & path);

/** "int16", "float32", ...; nullptr for a datatype code this module does not read. */
const char *
SupportedTypeName(int datatype);

/** Lower-case file name ends with .nii or .nii.gz. */
bool
HasSingleFileNiftiName(const std::string & path);

/** File name of half of a .hdr/.img pair (.hdr, .img, optionally .gz). */
bool
HasNiftiPairName(const std::string & path);

} // namespace detail
} // namespace voxelkl

#endif
