// Writes the seed corpus of the fuzz targets into DIR/<target>/ (run at build time):
// small valid files of every kind the parsers read, written by ITK and from hand-made
// NIfTI/NRRD headers, and a few edge cases (byte-swapped, scaled, extensions, Slicer's
// 4D NRRD layouts). The text formats' seeds are checked in (Testing/Fuzz/corpus).
#include "itkImage.h"
#include "itkImageFileWriter.h"
#include "itkImageRegionIterator.h"
#include "nifti1.h"
#include "voxelkl/StateFile.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

using Bytes = std::vector<unsigned char>;
namespace fs = std::filesystem;

void
Write(const fs::path & path, const Bytes & bytes)
{
  fs::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!file)
  {
    throw std::runtime_error("cannot write " + path.string());
  }
}

Bytes
Gzip(const Bytes & data)
{
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
  {
    throw std::runtime_error("deflateInit2");
  }
  Bytes out(deflateBound(&stream, data.size()) + 32);
  stream.next_in = const_cast<unsigned char *>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
  {
    throw std::runtime_error("deflate");
  }
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

template <typename T>
void
Append(Bytes & bytes, T value, bool swap)
{
  unsigned char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  if (swap)
  {
    std::reverse(raw, raw + sizeof(T));
  }
  bytes.insert(bytes.end(), raw, raw + sizeof(T));
}

template <typename T>
void
SwapField(T & field)
{
  auto * raw = reinterpret_cast<unsigned char *>(&field);
  std::reverse(raw, raw + sizeof(T));
}

struct NiftiSpec
{
  std::vector<short> dim{ 4, 3, 2, 2, 3 }; // dim[0] = rank, then the extents
  short              datatype{ DT_INT16 };
  float              slope{ 0.0f };
  float              intercept{ 0.0f };
  bool               swap{ false };
  Bytes              extension; // after the 4 extender bytes; vox_offset follows it
};

/** A single-file NIfTI-1 image with voxel values 0, 1, 2, ... */
Bytes
MakeNifti(const NiftiSpec & spec)
{
  nifti_1_header header{};
  header.sizeof_hdr = 348;
  std::copy(spec.dim.begin(), spec.dim.end(), header.dim);
  header.datatype = spec.datatype;
  std::size_t bytesPerVoxel = 0;
  switch (spec.datatype)
  {
    case DT_UINT8:
    case DT_INT8:
      bytesPerVoxel = 1;
      break;
    case DT_INT16:
    case DT_UINT16:
      bytesPerVoxel = 2;
      break;
    case DT_FLOAT64:
      bytesPerVoxel = 8;
      break;
    default:
      bytesPerVoxel = 4;
  }
  header.bitpix = static_cast<short>(8 * bytesPerVoxel);
  for (int i = 0; i < 8; ++i)
  {
    header.pixdim[i] = 1.0f;
  }
  header.scl_slope = spec.slope;
  header.scl_inter = spec.intercept;
  header.vox_offset = static_cast<float>(352 + spec.extension.size());
  header.qform_code = 1;
  header.quatern_b = header.quatern_c = header.quatern_d = 0.0f;
  std::memcpy(header.magic, "n+1", 4);
  std::size_t voxels = 1;
  for (int i = 1; i <= spec.dim[0]; ++i)
  {
    voxels *= static_cast<std::size_t>(std::max<short>(spec.dim[i], 1));
  }
  if (spec.swap)
  {
    SwapField(header.sizeof_hdr);
    for (short & d : header.dim)
    {
      SwapField(d);
    }
    SwapField(header.datatype);
    SwapField(header.bitpix);
    for (float & p : header.pixdim)
    {
      SwapField(p);
    }
    SwapField(header.scl_slope);
    SwapField(header.scl_inter);
    SwapField(header.vox_offset);
    SwapField(header.qform_code);
  }
  Bytes bytes(sizeof(header));
  std::memcpy(bytes.data(), &header, sizeof(header));
  bytes.push_back(spec.extension.empty() ? 0 : 1);
  bytes.insert(bytes.end(), 3, 0);
  bytes.insert(bytes.end(), spec.extension.begin(), spec.extension.end());
  for (std::size_t v = 0; v < voxels; ++v)
  {
    const auto value = static_cast<int>(v % 100);
    switch (spec.datatype)
    {
      case DT_UINT8:
      case DT_INT8:
        bytes.push_back(static_cast<unsigned char>(value));
        break;
      case DT_INT16:
        Append<std::int16_t>(bytes, static_cast<std::int16_t>(value - 50), spec.swap);
        break;
      case DT_UINT16:
        Append<std::uint16_t>(bytes, static_cast<std::uint16_t>(value), spec.swap);
        break;
      case DT_INT32:
        Append<std::int32_t>(bytes, value - 50, spec.swap);
        break;
      case DT_UINT32:
        Append<std::uint32_t>(bytes, static_cast<std::uint32_t>(value), spec.swap);
        break;
      case DT_FLOAT64:
        Append<double>(bytes, value * 0.5, spec.swap);
        break;
      default:
        Append<float>(bytes, v % 7 == 6 ? NAN : value * 0.25f, spec.swap);
    }
  }
  return bytes;
}

Bytes
Text(const std::string & text)
{
  return Bytes(text.begin(), text.end());
}

template <typename TImage>
typename TImage::Pointer
Ramp(const typename TImage::SizeType & size)
{
  auto image = TImage::New();
  image->SetRegions(size);
  image->Allocate();
  itk::ImageRegionIterator<TImage> it(image, image->GetLargestPossibleRegion());
  int                              value = 0;
  for (; !it.IsAtEnd(); ++it, ++value)
  {
    it.Set(static_cast<typename TImage::PixelType>(value % 50));
  }
  return image;
}

template <typename TImage>
void
WriteItk(const typename TImage::Pointer & image, const fs::path & path, bool compress)
{
  fs::create_directories(path.parent_path());
  auto writer = itk::ImageFileWriter<TImage>::New();
  writer->SetInput(image);
  writer->SetFileName(path.string());
  writer->SetUseCompression(compress);
  writer->Update();
}

Bytes
Read(const fs::path & path)
{
  std::ifstream file(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

} // namespace

int
main(int argc, char ** argv)
{
  if (argc != 2)
  {
    std::fprintf(stderr, "usage: VoxelKLMakeFuzzSeeds DIR\n");
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path header = root / "nifti_header";
  const fs::path stream = root / "nifti_stream";
  const fs::path series = root / "series";
  try
  {
    // NIfTI: every supported voxel type, both byte orders, scaled, with an extension, 3D,
    // a 5D header with trailing extents of 1, uncompressed and gzipped.
    std::vector<std::pair<std::string, NiftiSpec>> niftis;
    for (const short type : { DT_UINT8, DT_INT8, DT_INT16, DT_UINT16, DT_INT32, DT_UINT32, DT_FLOAT32, DT_FLOAT64 })
    {
      NiftiSpec spec;
      spec.datatype = type;
      niftis.emplace_back("type" + std::to_string(type), spec);
    }
    NiftiSpec swapped;
    swapped.swap = true;
    niftis.emplace_back("swapped_int16", swapped);
    swapped.datatype = DT_FLOAT32;
    niftis.emplace_back("swapped_float32", swapped);
    NiftiSpec scaled;
    scaled.slope = 0.5f;
    scaled.intercept = 10.0f;
    niftis.emplace_back("scaled_int16", scaled);
    NiftiSpec extended;
    extended.extension = Bytes(16, 0);
    extended.extension[0] = 16; // esize, then ecode 4 (AFNI)
    extended.extension[4] = 4;
    niftis.emplace_back("extension", extended);
    NiftiSpec volume;
    volume.dim = { 3, 4, 3, 2, 1 };
    niftis.emplace_back("3d", volume);
    NiftiSpec fiveD;
    fiveD.dim = { 5, 2, 2, 2, 2, 1 };
    niftis.emplace_back("5d_trailing_1", fiveD);
    for (const auto & [name, spec] : niftis)
    {
      const Bytes nii = MakeNifti(spec);
      Write(stream / (name + ".nii"), nii);
      Write(stream / (name + ".nii.gz"), Gzip(nii));
      Write(header / (name + ".hdr348"), Bytes(nii.begin(), nii.begin() + 348));
      if (name == "type4" || name == "swapped_int16" || name == "scaled_int16")
      {
        Write(series / (name + ".nii"), nii);
        Write(series / (name + ".nii.gz"), Gzip(nii));
      }
    }
    // Headers the parser refuses with a reason of its own: a pair (ni1), NIfTI-2, Analyze.
    Bytes pair = MakeNifti(NiftiSpec{});
    std::memcpy(pair.data() + 344, "ni1", 4);
    Write(header / "pair_ni1.hdr348", Bytes(pair.begin(), pair.begin() + 348));
    Bytes nifti2(348, 0);
    nifti2[0] = 0x1c; // 540
    nifti2[1] = 0x02;
    Write(header / "nifti2.hdr348", nifti2);

    // ITK's own writers: NIfTI, NRRD (raw, gzip) and MetaImage (.mha raw and compressed).
    using Series = itk::Image<short, 4>;
    using FloatSeries = itk::Image<float, 4>;
    const auto     shorts = Ramp<Series>({ { 3, 2, 2, 4 } });
    const auto     floats = Ramp<FloatSeries>({ { 2, 3, 2, 3 } });
    const fs::path scratch = root / "itk";
    WriteItk<Series>(shorts, scratch / "short.nrrd", false);
    WriteItk<Series>(shorts, scratch / "short_gzip.nrrd", true);
    WriteItk<FloatSeries>(floats, scratch / "float.nrrd", false);
    WriteItk<Series>(shorts, scratch / "short.mha", false);
    WriteItk<Series>(shorts, scratch / "short_compressed.mha", true);
    WriteItk<FloatSeries>(floats, scratch / "float.mha", false);
    WriteItk<FloatSeries>(floats, scratch / "itk_float.nii.gz", true);
    WriteItk<Series>(shorts, scratch / "itk_short.nii", false);
    for (const auto & entry : fs::directory_iterator(scratch))
    {
      const fs::path to = entry.path().extension() == ".nrrd" || entry.path().extension() == ".mha" ? series : stream;
      Write(to / entry.path().filename(), Read(entry.path()));
    }
    fs::remove_all(scratch);

    // 4D NRRD as 3D Slicer writes it: frames on a list axis, last (sequence) or first
    // (MultiVolume); and a header whose kinds make it no series.
    Bytes voxels;
    for (int v = 0; v < 2 * 2 * 2 * 3; ++v)
    {
      Append<std::int16_t>(voxels, static_cast<std::int16_t>(v), false);
    }
    const std::string common = "type: short\ndimension: 4\nencoding: raw\nendian: little\n"
                               "space: left-posterior-superior\nspace origin: (0,0,0)\n";
    Bytes             sequence = Text("NRRD0004\n" + common +
                          "sizes: 2 2 2 3\nkinds: domain domain domain list\n"
                                      "space directions: (1,0,0) (0,1,0) (0,0,1) none\n\n");
    sequence.insert(sequence.end(), voxels.begin(), voxels.end());
    Write(series / "slicer_sequence.nrrd", sequence);
    Bytes multiVolume = Text("NRRD0004\n" + common +
                             "sizes: 3 2 2 2\nkinds: list domain domain domain\n"
                             "space directions: none (1,0,0) (0,1,0) (0,0,1)\n"
                             "MultiVolume.NumberOfFrames:=3\n\n");
    multiVolume.insert(multiVolume.end(), voxels.begin(), voxels.end());
    Write(series / "slicer_multivolume.nrrd", multiVolume);
    Bytes rgb = Text("NRRD0004\n" + common +
                     "sizes: 3 2 2 2\nkinds: RGB-color domain domain domain\n"
                     "space directions: none (1,0,0) (0,1,0) (0,0,1)\n\n");
    rgb.insert(rgb.end(), voxels.begin(), voxels.end());
    Write(series / "rgb_kinds.nrrd", rgb);
    Bytes mha = Text("ObjectType = Image\nNDims = 4\nDimSize = 2 2 2 3\nElementType = MET_SHORT\n"
                     "ElementSpacing = 1 1 1 2\nOffset = 0 0 0 0\nBinaryData = True\n"
                     "BinaryDataByteOrderMSB = False\nElementDataFile = LOCAL\n");
    mha.insert(mha.end(), voxels.begin(), voxels.end());
    Write(series / "hand.mha", mha);

    // State files of every kind, masked and not, on a 3x2x2 grid.
    for (const voxelkl::StateKind kind :
         { voxelkl::StateKind::Comparison, voxelkl::StateKind::PairedComparison, voxelkl::StateKind::Moments })
    {
      for (const bool masked : { false, true })
      {
        voxelkl::StateHeader header;
        header.kind = kind;
        header.grid.size = { 3, 2, 2 };
        header.grid.spacing = { 2, 2, 3 };
        header.grid.direction = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        if (masked)
        {
          header.inside = { 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1 };
        }
        header.options = { { "direction", "forward" },
                           { "varianceFloor", { { "relative", true }, { "value", 1e-6 } } },
                           { "runs", "concatenate" } };
        header.inputs = { { "reference", { { "paths", { "ref.nii.gz" } } } } };
        header.software = "VoxelKL seeds";
        voxelkl::MeasureState state(kind, 12);
        for (std::size_t f = 0; f < state.FieldCount(); ++f)
        {
          for (std::size_t v = 0; v < 12; ++v)
          {
            state.Field(f)[v] = f == 0 ? 10.0 : 0.5 * static_cast<double>(f + v);
          }
        }
        const fs::path path =
          root / "state_file" / (std::string(voxelkl::ToString(kind)) + (masked ? "_masked" : "") + ".vkls");
        fs::create_directories(path.parent_path());
        voxelkl::WriteStateFile(path.string(), path.string(), header, state);
      }
    }
  }
  catch (const std::exception & e)
  {
    std::fprintf(stderr, "VoxelKLMakeFuzzSeeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
