#include "voxelkl/ReportViewer.h"

#include "voxelkl/ReportEncoding.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace voxelkl
{
namespace embedded
{
// Generated at build time (CMake/VoxelKLEmbedText.cmake).
extern const std::string_view NiivueBundle;
extern const std::string_view NiivueBundleVersion;
extern const std::string_view ReportViewerScript;
} // namespace embedded

bool
HasViewerBundle()
{
  return !embedded::NiivueBundle.empty();
}

std::string_view
ViewerBundle()
{
  return embedded::NiivueBundle;
}

std::string_view
ViewerBundleVersion()
{
  return embedded::NiivueBundleVersion;
}

std::string_view
ViewerScript()
{
  return embedded::ReportViewerScript;
}

ViewerVolume
QuantiseMap(const float *                      values,
            std::size_t                        count,
            const std::vector<unsigned char> & shown,
            const DisplayRange &               range)
{
  ViewerVolume volume;
  volume.codes.assign(count, 0);
  volume.slope = (range.high - range.low) / 254.0;
  volume.intercept = range.low - volume.slope;
  // Code 1 sits just above the colour map's start, code 0 below it.
  volume.displayLow = range.low - 0.5 * volume.slope;
  volume.displayHigh = range.high;
  for (std::size_t v = 0; v < count; ++v)
  {
    const float value = values[v];
    if (!std::isfinite(value) || (!shown.empty() && shown[v] == 0))
    {
      continue;
    }
    const double code = 1.0 + std::round(254.0 * std::clamp(range.Fraction(value), 0.0, 1.0));
    volume.codes[v] = static_cast<std::uint8_t>(code);
  }
  return volume;
}

ViewerVolume
QuantiseAnatomy(const float * values, std::size_t count, const DisplayRange & range)
{
  ViewerVolume volume;
  volume.codes.assign(count, 0);
  volume.slope = (range.high - range.low) / 255.0;
  volume.intercept = range.low;
  volume.displayLow = range.low;
  volume.displayHigh = range.high;
  for (std::size_t v = 0; v < count; ++v)
  {
    if (std::isfinite(values[v]))
    {
      volume.codes[v] = static_cast<std::uint8_t>(std::round(255.0 * std::clamp(range.Fraction(values[v]), 0.0, 1.0)));
    }
  }
  return volume;
}

namespace
{
bool
IsLittleEndian()
{
  const std::uint16_t one = 1;
  unsigned char       first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

// Little-endian fields of the 348-byte NIfTI-1 header.
template <typename T>
void
Put(std::string & header, std::size_t offset, T value)
{
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  for (std::size_t i = 0; i < sizeof(T); ++i)
  {
    // This machine's order to little-endian.
    const std::size_t k = IsLittleEndian() ? i : sizeof(T) - 1 - i;
    header[offset + i] = static_cast<char>(bytes[k]);
  }
}
} // namespace

std::string
ViewerNifti(const ViewerVolume & volume, const SpatialGrid & grid)
{
  if (volume.codes.size() != grid.VoxelCount())
  {
    throw std::invalid_argument("ViewerNifti: the volume does not have the grid's voxel count");
  }
  for (const std::size_t n : grid.size)
  {
    if (n > 32767)
    {
      throw std::invalid_argument("ViewerNifti: a grid dimension beyond NIfTI-1's 32767");
    }
  }
  std::string file(352, '\0');
  Put<std::int32_t>(file, 0, 348);
  const std::int16_t dims[8] = { 3,
                                 static_cast<std::int16_t>(grid.size[0]),
                                 static_cast<std::int16_t>(grid.size[1]),
                                 static_cast<std::int16_t>(grid.size[2]),
                                 1,
                                 1,
                                 1,
                                 1 };
  for (int i = 0; i < 8; ++i)
  {
    Put<std::int16_t>(file, 40 + 2 * i, dims[i]);
  }
  Put<std::int16_t>(file, 70, 2); // DT_UINT8
  Put<std::int16_t>(file, 72, 8);
  const float pixdim[8] = { 1.0f,
                            static_cast<float>(grid.spacing[0]),
                            static_cast<float>(grid.spacing[1]),
                            static_cast<float>(grid.spacing[2]),
                            0.0f,
                            0.0f,
                            0.0f,
                            0.0f };
  for (int i = 0; i < 8; ++i)
  {
    Put<float>(file, 76 + 4 * i, pixdim[i]);
  }
  Put<float>(file, 108, 352.0f); // vox_offset
  Put<float>(file, 112, static_cast<float>(volume.slope));
  Put<float>(file, 116, static_cast<float>(volume.intercept));
  file[123] = 2; // xyzt_units: millimetres
  Put<float>(file, 124, static_cast<float>(volume.displayHigh));
  Put<float>(file, 128, static_cast<float>(volume.displayLow));
  const char description[] = "VoxelKL report viewer volume";
  std::memcpy(&file[148], description, sizeof(description) - 1);
  Put<std::int16_t>(file, 252, 0); // qform_code
  Put<std::int16_t>(file, 254, 1); // sform_code: scanner anatomical
  // RAS = diag(-1, -1, 1) (origin + D diag(spacing) index), ITK's LPS turned into NIfTI's RAS.
  for (int r = 0; r < 3; ++r)
  {
    const double sign = r < 2 ? -1.0 : 1.0;
    for (int c = 0; c < 3; ++c)
    {
      Put<float>(file, 280 + 16 * r + 4 * c, static_cast<float>(sign * grid.direction[r * 3 + c] * grid.spacing[c]));
    }
    Put<float>(file, 280 + 16 * r + 12, static_cast<float>(sign * grid.origin[r]));
  }
  std::memcpy(&file[344], "n+1\0", 4);
  // Bytes 348..351: no extension.
  file.append(reinterpret_cast<const char *>(volume.codes.data()), volume.codes.size());
  return Gzip(file);
}

} // namespace voxelkl
