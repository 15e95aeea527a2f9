#include "NiftiHeader.h"

#include "NiftiVoxelKernels.h"
#include "voxelkl/Errors.h"

#include "nifti1.h" // the header layout, from ITK's include directory (nothing is linked)

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

namespace voxelkl
{
namespace detail
{
namespace
{

static_assert(sizeof(nifti_1_header) == NiftiHeaderBytes, "NIfTI-1 header is 348 bytes");

bool
EndsWith(const std::string & text, const char * suffix)
{
  const std::size_t n = std::strlen(suffix);
  return text.size() >= n && text.compare(text.size() - n, n, suffix) == 0;
}

std::string
Lower(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::size_t
BytesPerVoxel(int datatype)
{
  switch (datatype)
  {
    case DT_UINT8:
    case DT_INT8:
      return 1;
    case DT_INT16:
    case DT_UINT16:
      return 2;
    case DT_INT32:
    case DT_UINT32:
    case DT_FLOAT32:
      return 4;
    case DT_FLOAT64:
      return 8;
    default:
      return 0;
  }
}

std::string
UnsupportedTypeProblem(int datatype)
{
  switch (datatype)
  {
    case DT_COMPLEX64:
    case DT_COMPLEX128:
    case DT_COMPLEX256:
      return "complex voxels (NIfTI datatype " + std::to_string(datatype) +
             ") are not supported: only real scalar voxels";
    case DT_RGB24:
    case DT_RGBA32:
      return "RGB/RGBA voxels (NIfTI datatype " + std::to_string(datatype) +
             ") are not supported: only real scalar voxels";
    case DT_INT64:
    case DT_UINT64:
    case DT_FLOAT128:
      return "64-bit integer or 128-bit float voxels (NIfTI datatype " + std::to_string(datatype) +
             ") are not supported: only (u)int8/16/32, float32 and float64";
    default:
      return "unknown NIfTI datatype " + std::to_string(datatype);
  }
}

} // namespace

const char *
SupportedTypeName(int datatype)
{
  switch (datatype)
  {
    case DT_UINT8:
      return "uint8";
    case DT_INT8:
      return "int8";
    case DT_INT16:
      return "int16";
    case DT_UINT16:
      return "uint16";
    case DT_INT32:
      return "int32";
    case DT_UINT32:
      return "uint32";
    case DT_FLOAT32:
      return "float32";
    case DT_FLOAT64:
      return "float64";
    default:
      return nullptr;
  }
}

bool
HasSingleFileNiftiName(const std::string & path)
{
  const std::string name = Lower(path);
  return EndsWith(name, ".nii") || EndsWith(name, ".nii.gz");
}

bool
HasNiftiPairName(const std::string & path)
{
  const std::string name = Lower(path);
  return EndsWith(name, ".hdr") || EndsWith(name, ".img") || EndsWith(name, ".hdr.gz") || EndsWith(name, ".img.gz");
}

NiftiLayout
ParseNiftiHeader(const unsigned char * bytes, const std::string & path)
{
  nifti_1_header header;
  std::memcpy(&header, bytes, sizeof(header));

  // The byte order is told by sizeof_hdr, which must be 348 (niftilib also looks at dim[0],
  // but the two agree in every file it writes).
  NiftiLayout layout;
  if (header.sizeof_hdr == 348)
  {
    layout.swap = false;
  }
  else if (Swapped(header.sizeof_hdr) == 348)
  {
    layout.swap = true;
  }
  else if (header.sizeof_hdr == 540 || Swapped(header.sizeof_hdr) == 540)
  {
    throw InputError(path, "NIfTI-2 files are not supported, only NIfTI-1");
  }
  else
  {
    throw InputError(path, "not a NIfTI-1 file (sizeof_hdr is not 348)");
  }
  if (layout.swap)
  {
    for (short & d : header.dim)
    {
      d = Swapped(d);
    }
    header.datatype = Swapped(header.datatype);
    header.vox_offset = Swapped(header.vox_offset);
    header.scl_slope = Swapped(header.scl_slope);
    header.scl_inter = Swapped(header.scl_inter);
  }

  if (std::memcmp(header.magic, "ni1", 4) == 0)
  {
    throw InputError(path,
                     "the header of a NIfTI .hdr/.img pair (magic \"ni1\"): pairs are not supported, "
                     "only single-file .nii/.nii.gz");
  }
  if (std::memcmp(header.magic, "n+1", 4) != 0)
  {
    throw InputError(path, "not a NIfTI-1 file (no \"n+1\" magic; Analyze 7.5 is not supported)");
  }

  const int dimensions = header.dim[0];
  if (dimensions < 3 || dimensions > 7)
  {
    throw InputError(path,
                     "has " + std::to_string(dimensions) + " dimensions (dim[0]); only 3D and 4D images are supported");
  }
  for (int i = 5; i <= dimensions; ++i)
  {
    if (header.dim[i] > 1)
    {
      throw InputError(path,
                       "has more than 4 dimensions (dim[" + std::to_string(i) + "] = " + std::to_string(header.dim[i]) +
                         "); only 3D and 4D images are supported");
    }
  }
  if (header.dim[1] <= 0)
  {
    throw InputError(path, "bad dim[1] = " + std::to_string(header.dim[1]));
  }
  // Like niftilib (nifti_convert_nhdr2nim): other sizes <= 0 within dim[0] mean 1.
  const auto extent = [&header, dimensions](int i) -> std::size_t {
    return i > dimensions || header.dim[i] <= 0 ? 1 : static_cast<std::size_t>(header.dim[i]);
  };
  layout.volumeSize = { extent(1), extent(2), extent(3) };
  layout.volumeCount = extent(4);

  layout.datatype = header.datatype;
  layout.bytesPerVoxel = BytesPerVoxel(header.datatype);
  if (layout.bytesPerVoxel == 0)
  {
    throw InputError(path, UnsupportedTypeProblem(header.datatype));
  }

  // niftilib: offset = (int)vox_offset, at least the header size.
  if (!std::isfinite(header.vox_offset) || header.vox_offset < 0.0f ||
      header.vox_offset > static_cast<float>(std::numeric_limits<int>::max() / 2))
  {
    throw InputError(path, "bad vox_offset " + std::to_string(header.vox_offset));
  }
  layout.dataOffset = std::max<std::size_t>(NiftiHeaderBytes, static_cast<std::size_t>(header.vox_offset));

  // ITK 5.2 NiftiImageIO::ReadImageInformation and MustRescale, on niftilib's fields:
  // non-finite -> 0 (FIXED_FLOAT), slope 0 -> 1 keeping the intercept.
  const double epsilon = std::numeric_limits<double>::epsilon();
  double       slope = std::isfinite(header.scl_slope) ? header.scl_slope : 0.0;
  const double intercept = std::isfinite(header.scl_inter) ? header.scl_inter : 0.0;
  if (std::abs(slope) < epsilon)
  {
    slope = 1.0;
  }
  layout.slope = slope;
  layout.intercept = intercept;
  layout.scaled = std::abs(slope) > epsilon && (std::abs(slope - 1.0) > epsilon || std::abs(intercept) > epsilon);
  return layout;
}

} // namespace detail
} // namespace voxelkl
