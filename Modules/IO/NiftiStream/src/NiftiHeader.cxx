#include "NiftiHeader.h"

#include "NiftiVoxelKernels.h"
#include "voxelkl/Errors.h"

#include "nifti1.h" // the header layout, from ITK's include directory (nothing is linked)

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iomanip>
#include <limits>
#include <sstream>

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

void
CheckCompressedClaim(const NiftiLayout & layout, std::uint64_t compressedBytes, const std::string & path)
{
  constexpr long double MaxDeflateRatio = 1032.0L;
  constexpr long double GzipFraming = 1024.0L; // a member's header and trailer, and then some
  const long double     claimed = static_cast<long double>(layout.dataOffset) +
                              static_cast<long double>(layout.volumeSize[0]) * layout.volumeSize[1] *
                                layout.volumeSize[2] * layout.volumeCount * layout.bytesPerVoxel;
  if (claimed > MaxDeflateRatio * static_cast<long double>(compressedBytes) + GzipFraming)
  {
    throw InputError(path,
                     "the header describes " + std::to_string(static_cast<std::uint64_t>(claimed)) +
                       " bytes of data, more than a gzip file of " + std::to_string(compressedBytes) +
                       " bytes can hold (deflate expands at most 1032:1): the header's size is wrong or the file is "
                       "truncated");
  }
}

bool
HasNiftiPairName(const std::string & path)
{
  const std::string name = Lower(path);
  return EndsWith(name, ".hdr") || EndsWith(name, ".img") || EndsWith(name, ".hdr.gz") || EndsWith(name, ".img.gz");
}

namespace
{

// Orientation values beyond this (1000 km in mm, or a matrix entry as large) are no real
// scanner's; ITK 5.2's orientation code loops forever on some (an offset of 2^127), and
// vnl aborts on non-finite ones, so they never reach it.
constexpr double OrientationLimit = 1e9;

std::string
Number(double value)
{
  std::ostringstream text;
  text << std::setprecision(9) << value;
  return text.str();
}

[[noreturn]] void
Invalid(const std::string & path, const std::string & problem)
{
  throw InputError(path, "invalid NIfTI header: " + problem);
}

void
SwapHeader(nifti_1_header & header)
{
  for (short & d : header.dim)
  {
    d = Swapped(d);
  }
  for (float & p : header.pixdim)
  {
    p = Swapped(p);
  }
  header.datatype = Swapped(header.datatype);
  header.bitpix = Swapped(header.bitpix);
  header.vox_offset = Swapped(header.vox_offset);
  header.scl_slope = Swapped(header.scl_slope);
  header.scl_inter = Swapped(header.scl_inter);
  header.qform_code = Swapped(header.qform_code);
  header.sform_code = Swapped(header.sform_code);
  for (float * q : { &header.quatern_b,
                     &header.quatern_c,
                     &header.quatern_d,
                     &header.qoffset_x,
                     &header.qoffset_y,
                     &header.qoffset_z })
  {
    *q = Swapped(*q);
  }
  for (float * row : { header.srow_x, header.srow_y, header.srow_z })
  {
    for (int i = 0; i < 4; ++i)
    {
      row[i] = Swapped(row[i]);
    }
  }
}

// A finite value within OrientationLimit, or the field named in the error.
void
RequireSane(const std::string & path, const std::string & field, double value)
{
  if (!std::isfinite(value))
  {
    Invalid(path, field + " is " + Number(value) + " (not finite)");
  }
  if (std::abs(value) > OrientationLimit)
  {
    Invalid(path, field + " " + Number(value) + " is beyond +-1e9 mm");
  }
}

// What niftilib and ITK turn into the grid: pixdim of the axes in use, the quaternion
// (qform_code > 0) and the affine rows (sform_code > 0), each checked where it is used.
void
CheckGeometry(const nifti_1_header & header, const std::string & path)
{
  for (int i = 0; i <= std::min<int>(header.dim[0], 7); ++i)
  {
    if (!std::isfinite(header.pixdim[i]))
    {
      Invalid(path, "pixdim[" + std::to_string(i) + "] is " + Number(header.pixdim[i]) + " (not finite)");
    }
  }
  if (header.qform_code > 0)
  {
    const char * names[] = { "quatern_b", "quatern_c", "quatern_d", "qoffset_x", "qoffset_y", "qoffset_z" };
    const float  values[] = { header.quatern_b, header.quatern_c, header.quatern_d,
                              header.qoffset_x, header.qoffset_y, header.qoffset_z };
    for (int i = 0; i < 6; ++i)
    {
      RequireSane(path, names[i], values[i]);
    }
  }
  if (header.sform_code > 0)
  {
    const char *  names[] = { "srow_x", "srow_y", "srow_z" };
    const float * rows[] = { header.srow_x, header.srow_y, header.srow_z };
    for (int r = 0; r < 3; ++r)
    {
      for (int i = 0; i < 4; ++i)
      {
        RequireSane(path, std::string(names[r]) + "[" + std::to_string(i) + "]", rows[r][i]);
      }
    }
    for (int c = 0; c < 3; ++c)
    {
      if (rows[0][c] == 0.0f && rows[1][c] == 0.0f && rows[2][c] == 0.0f)
      {
        Invalid(path, "sform column " + std::to_string(c) + " (srow_x/y/z[" + std::to_string(c) + "]) is zero");
      }
    }
  }
}

} // namespace

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
    Invalid(path, "sizeof_hdr " + std::to_string(header.sizeof_hdr) + " is not 348 (not a NIfTI-1 file)");
  }
  if (layout.swap)
  {
    SwapHeader(header);
  }

  if (std::memcmp(header.magic, "ni1", 4) == 0)
  {
    throw InputError(path,
                     "the header of a NIfTI .hdr/.img pair (magic \"ni1\"): pairs are not supported, "
                     "only single-file .nii/.nii.gz");
  }
  if (std::memcmp(header.magic, "n+1", 4) != 0)
  {
    Invalid(path, "magic is not \"n+1\" (not a NIfTI-1 file; Analyze 7.5 is not supported)");
  }

  const int dimensions = header.dim[0];
  if (dimensions < 1 || dimensions > 7)
  {
    Invalid(path, "dim[0] " + std::to_string(dimensions) + " is not 1..7");
  }
  for (int i = 1; i <= dimensions; ++i)
  {
    if (header.dim[i] < 0 || (i <= 3 && header.dim[i] == 0))
    {
      Invalid(path, "dim[" + std::to_string(i) + "] " + std::to_string(header.dim[i]) + " is not positive");
    }
  }
  if (dimensions < 3)
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
  // Like niftilib (nifti_convert_nhdr2nim): a time axis of 0 means 1.
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
  if (static_cast<std::size_t>(header.bitpix) != 8 * layout.bytesPerVoxel)
  {
    Invalid(path,
            "bitpix " + std::to_string(header.bitpix) + " does not match datatype " + std::to_string(header.datatype) +
              " (" + SupportedTypeName(header.datatype) + ", " + std::to_string(8 * layout.bytesPerVoxel) + " bits)");
  }

  // A single-file NIfTI-1 keeps 4 extension bytes after the header, so voxels start at 352
  // or later (niftilib reads a smaller offset as 352: 4 bytes off). A byte offset is whole.
  const float offset = header.vox_offset;
  if (!std::isfinite(offset))
  {
    Invalid(path, "vox_offset is " + Number(offset) + " (not finite)");
  }
  if (offset < 352.0f)
  {
    Invalid(path, "vox_offset " + Number(offset) + " is below 352");
  }
  if (offset != std::floor(offset))
  {
    Invalid(path, "vox_offset " + Number(offset) + " is not a whole number of bytes");
  }
  if (offset > static_cast<float>(std::numeric_limits<int>::max() / 2))
  {
    Invalid(path, "vox_offset " + Number(offset) + " is beyond 1 GiB");
  }
  layout.dataOffset = static_cast<std::size_t>(offset);

  CheckGeometry(header, path);
  layout.qformCode = header.qform_code;
  layout.sformCode = header.sform_code;
  // The time between volumes: NIFTI_UNITS_SEC 8, MSEC 16, USEC 24 in bits 3-5 of
  // xyzt_units (a single byte: no swap).
  const int    timeUnits = header.xyzt_units & 0x38;
  const double unitSeconds = timeUnits == 16 ? 1e-3 : timeUnits == 24 ? 1e-6 : 1.0;
  const double step = static_cast<double>(header.pixdim[4]) * unitSeconds;
  layout.timeStep = std::isfinite(step) && step > 0.0 ? step : 0.0;
  layout.timeUnitsGiven = timeUnits == 8 || timeUnits == 16 || timeUnits == 24;

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
