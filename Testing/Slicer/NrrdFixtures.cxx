#include "NrrdFixtures.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace voxelkl::test
{

namespace
{

// The voxels in file order: x fastest, then y, z and t (Sequence), or t fastest (MultiVolume).
template <typename TStored>
std::vector<char>
Voxels(const Series * series, SlicerNrrdLayout layout)
{
  const auto        size = series->GetLargestPossibleRegion().GetSize();
  const std::size_t voxels = size[0] * size[1] * size[2];
  const std::size_t frames = size[3];
  std::vector<char> bytes(voxels * frames * sizeof(TStored));
  auto *            out = reinterpret_cast<TStored *>(bytes.data());
  const double *    in = series->GetBufferPointer(); // x fastest, t slowest
  for (std::size_t t = 0; t < frames; ++t)
  {
    for (std::size_t v = 0; v < voxels; ++v)
    {
      const auto value = static_cast<TStored>(in[t * voxels + v]);
      out[layout == SlicerNrrdLayout::Sequence ? t * voxels + v : v * frames + t] = value;
    }
  }
  return bytes;
}

std::string
Vector(double x, double y, double z)
{
  return fmt::format("({:.17g},{:.17g},{:.17g})", x, y, z);
}

} // namespace

void
WriteSlicerNrrd(const Series *            series,
                const std::string &       path,
                SlicerNrrdLayout          layout,
                const SlicerNrrdOptions & options)
{
  const auto   size = series->GetLargestPossibleRegion().GetSize();
  const auto & spacing = series->GetSpacing();
  const auto & origin = series->GetOrigin();
  const auto & direction = series->GetDirection();
  std::string  axes[3];
  for (unsigned int i = 0; i < 3; ++i)
  {
    // Axis i's step in LPS: column i of the direction, times the spacing.
    axes[i] = Vector(direction[0][i] * spacing[i], direction[1][i] * spacing[i], direction[2][i] * spacing[i]);
  }
  const std::size_t frames = size[3];
  std::string       type;
  std::vector<char> data;
  if (options.type == "float32")
  {
    type = "float";
    data = Voxels<float>(series, layout);
  }
  else if (options.type == "int16")
  {
    type = "short";
    data = Voxels<std::int16_t>(series, layout);
  }
  else
  {
    throw std::invalid_argument("WriteSlicerNrrd: unknown type " + options.type);
  }

  std::string header = "NRRD0004\n# Complete NRRD file format specification at:\n"
                       "# http://teem.sourceforge.net/nrrd/format.html\n";
  header += fmt::format("type: {}\ndimension: 4\nspace: left-posterior-superior\n", type);
  std::string frameLabels;
  for (std::size_t t = 0; t < frames; ++t)
  {
    frameLabels += fmt::format("{}{}", t > 0 ? "," : "", t * 2000);
  }
  if (layout == SlicerNrrdLayout::Sequence)
  {
    header += fmt::format("sizes: {} {} {} {}\n", size[0], size[1], size[2], frames);
    header += fmt::format("space directions: {} {} {} none\n", axes[0], axes[1], axes[2]);
    header += "kinds: domain domain domain list\n";
  }
  else
  {
    const char * kind = frames == 2 ? "complex" : frames == 3 ? "RGB-color" : frames == 4 ? "RGBA-color" : "list";
    header += fmt::format("sizes: {} {} {} {}\n", frames, size[0], size[1], size[2]);
    header += fmt::format("space directions: none {} {} {}\n", axes[0], axes[1], axes[2]);
    header += fmt::format("kinds: {} domain domain domain\n", kind);
  }
  header += fmt::format("endian: little\nencoding: {}\nspace origin: {}\n",
                        options.gzip ? "gzip" : "raw",
                        Vector(origin[0], origin[1], origin[2]));
  if (layout == SlicerNrrdLayout::Sequence)
  {
    std::string values;
    for (std::size_t t = 0; t < frames; ++t)
    {
      values += fmt::format("{}{}", t > 0 ? "%20" : "", t * 2);
    }
    header += "DataNodeClassName:=vtkMRMLScalarVolumeNode\naxis 3 index type:=numeric\n";
    header += fmt::format("axis 3 index values:={}\n", values);
  }
  else
  {
    header += "MultiVolume.FrameIdentifyingDICOMTagName:=AcquisitionTime\n"
              "MultiVolume.FrameIdentifyingDICOMTagUnits:=ms\n";
    header += fmt::format("MultiVolume.FrameLabels:={}\nMultiVolume.NumberOfFrames:={}\n", frameLabels, frames);
  }
  header += "\n";

  {
    std::ofstream stream(path, std::ios::binary | std::ios::trunc);
    stream.write(header.data(), static_cast<std::streamsize>(header.size()));
    if (!options.gzip)
    {
      stream.write(data.data(), static_cast<std::streamsize>(data.size()));
    }
    if (!stream.flush())
    {
      throw std::runtime_error("cannot write " + path);
    }
  }
  if (options.gzip)
  {
    // A gzip member appended after the header, as teem writes it.
    gzFile compressed = gzopen(path.c_str(), "ab");
    if (compressed == nullptr ||
        gzwrite(compressed, data.data(), static_cast<unsigned int>(data.size())) != static_cast<int>(data.size()))
    {
      throw std::runtime_error("cannot compress into " + path);
    }
    if (gzclose(compressed) != Z_OK)
    {
      throw std::runtime_error("cannot finish " + path);
    }
  }
}

} // namespace voxelkl::test
