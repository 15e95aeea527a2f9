// 3D Slicer's 4D volumes: NRRD files whose frames ITK reads as voxel components, in the two
// layouts Slicer writes (volume sequence: frames last; MultiVolume: frames first). Both
// must read as the same series as the same data in a 4D NIfTI, down to the bits of the maps.
#include "NrrdFixtures.h"
#include "TestFiles.h"
#include "voxelkl/Errors.h"
#include "voxelkl/SeriesInfo.h"
#include "voxelkl/VolumeSource.h"

#include "itkImageFileWriter.h"
#include "itkVectorImage.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace
{
using namespace voxelkl::test;

// Integer-valued, exact in int16 and float32; no voxel is constant over time.
double
Signal(long x, long y, long z, long t, long salt)
{
  unsigned long h = static_cast<unsigned long>(x * 73856093L ^ y * 19349663L ^ z * 83492791L ^ t * 2654435761L ^ salt);
  h ^= h >> 13;
  h *= 0x5bd1e995UL;
  h ^= h >> 15;
  return 1000.0 + 10.0 * x - 3.0 * y + 5.0 * z + static_cast<double>(h % 41) * (1 + (x + y) % 3) + (t % 2);
}

double
Reference(long x, long y, long z, long t)
{
  return Signal(x, y, z, t, 1);
}

double
Generated(long x, long y, long z, long t)
{
  return Signal(x, y, z, t, 2) * 0.5 + 520.0;
}

// Every value of the series, volume after volume, as its VolumeSource<float> gives them.
std::vector<float>
ReadAll(const voxelkl::SeriesInfo & info)
{
  auto                           source = voxelkl::OpenVolumeSource<float>(info);
  voxelkl::VolumeSource<float> & reader = *source;
  std::vector<float>             values(info.grid.VoxelCount() * info.timePoints);
  std::size_t                    read = 0;
  // Uneven blocks, to cross the frame boundaries in every way.
  for (std::size_t block = 1; read < info.timePoints; block = block % 3 + 1)
  {
    const std::size_t count = reader.Read(block, values.data() + read * info.grid.VoxelCount());
    EXPECT_GT(count, 0u);
    read += count;
  }
  EXPECT_EQ(reader.Read(4, values.data()), 0u);
  return values;
}

struct LayoutCase
{
  SlicerNrrdLayout layout;
  std::string      type;
  bool             gzip;
  long             frames;
};

std::string
CaseName(const LayoutCase & c)
{
  return std::string(c.layout == SlicerNrrdLayout::Sequence ? "Sequence" : "MultiVolume") + "_" + c.type +
         (c.gzip ? "_gzip" : "_raw") + "_" + std::to_string(c.frames) + "frames";
}

void
PrintTo(const LayoutCase & c, std::ostream * out)
{
  *out << CaseName(c);
}

class SlicerNrrdSeries : public testing::TestWithParam<LayoutCase>
{
};

TEST_P(SlicerNrrdSeries, ReadsAsTheSameSeriesAsNifti)
{
  const LayoutCase   c = GetParam();
  TemporaryDirectory directory("slicer-nrrd");
  const auto         series = MakeSeries({ 6, 5, 4, c.frames }, Reference);
  const std::string  nrrd = directory / "series.nrrd";
  const std::string  nifti = directory / "series.nii.gz";
  WriteSlicerNrrd(series, nrrd, c.layout, { c.type, c.gzip });
  WriteSeries(series, nifti, c.type);

  const auto fromNrrd = voxelkl::InspectSeries({ nrrd });
  const auto fromNifti = voxelkl::InspectSeries({ nifti });
  EXPECT_TRUE(fromNrrd.framesAsComponents);
  EXPECT_FALSE(fromNrrd.isVolumeList);
  EXPECT_EQ(fromNrrd.format, "NRRD");
  EXPECT_EQ(fromNrrd.voxelType, c.type);
  EXPECT_EQ(fromNrrd.timePoints, static_cast<std::size_t>(c.frames));
  EXPECT_EQ(fromNrrd.grid.size, fromNifti.grid.size);
  EXPECT_EQ(voxelkl::CompareGrids(fromNrrd.grid, fromNifti.grid), "");
  EXPECT_NEAR(fromNrrd.grid.direction[1], -std::sin(0.2), 1e-12); // oblique, as written

  const auto values = ReadAll(fromNrrd);
  EXPECT_EQ(values, ReadAll(fromNifti));
  // And what was written, frame by frame.
  const std::size_t voxels = fromNrrd.grid.VoxelCount();
  for (long t = 0; t < c.frames; t += 3)
  {
    EXPECT_EQ(values[t * voxels + 2 * 6 * 5 + 3 * 6 + 4], static_cast<float>(Reference(4, 3, 2, t))) << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts,
                         SlicerNrrdSeries,
                         testing::Values(LayoutCase{ SlicerNrrdLayout::Sequence, "float32", false, 9 },
                                         LayoutCase{ SlicerNrrdLayout::Sequence, "int16", true, 9 },
                                         LayoutCase{ SlicerNrrdLayout::MultiVolume, "float32", true, 9 },
                                         LayoutCase{ SlicerNrrdLayout::MultiVolume, "int16", false, 9 },
                                         // vtkTeemNRRDWriter's kinds for 2, 3 and 4 frames
                                         LayoutCase{ SlicerNrrdLayout::MultiVolume, "float32", false, 2 },
                                         LayoutCase{ SlicerNrrdLayout::MultiVolume, "int16", false, 3 },
                                         LayoutCase{ SlicerNrrdLayout::MultiVolume, "float32", true, 4 }),
                         [](const testing::TestParamInfo<LayoutCase> & info) { return CaseName(info.param); });

TEST(SlicerNrrd, OtherVectorVoxelsAreRefused)
{
  TemporaryDirectory directory("slicer-nrrd-vector");
  // ITK's own vector NRRD (`kinds: vector domain domain domain`): a vector field or colour
  // image, not a series.
  using VectorVolume = itk::VectorImage<float, 3>;
  auto                     image = VectorVolume::New();
  VectorVolume::RegionType region;
  region.SetSize({ { 3, 2, 2 } });
  image->SetRegions(region);
  image->SetVectorLength(5);
  image->Allocate();
  const std::string vectorFile = directory / "vector.nrrd";
  itk::WriteImage(image, vectorFile);
  try
  {
    voxelkl::InspectSeries({ vectorFile });
    ADD_FAILURE() << "accepted " << vectorFile;
  }
  catch (const voxelkl::InputError & error)
  {
    EXPECT_NE(std::string(error.what()).find("5 components per voxel"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("'vector', not 'list'"), std::string::npos) << error.what();
  }

  // A Slicer 4D NRRD is one series, or one run of several: not a volume in a list, not a
  // mask.
  const auto        series = MakeSeries({ 3, 2, 2, 6 }, Reference);
  const std::string sequence = directory / "sequence.nrrd";
  WriteSlicerNrrd(series, sequence, SlicerNrrdLayout::Sequence);
  const voxelkl::SeriesInfo runs = voxelkl::InspectSeries({ sequence, sequence });
  EXPECT_EQ(runs.runs.size(), 2u);
  EXPECT_EQ(runs.timePoints, 12u);
  const std::vector<std::string> volumes = WriteVolumes(series, directory / "volume", ".nii");
  EXPECT_THROW(voxelkl::InspectSeries({ volumes.front(), sequence }), voxelkl::InputError);
  EXPECT_THROW(voxelkl::InspectSeries({ sequence, volumes.front() }), voxelkl::InputError);
  EXPECT_THROW(voxelkl::InspectVolume(sequence), voxelkl::InputError);
}

// The maps of the executables, for the same data as Slicer's NRRD layouts and as NIfTI.
struct MapFiles
{
  TemporaryDirectory directory{ "slicer-maps" };
  Series::Pointer    reference = MakeSeries({ 7, 5, 4, 23 }, Reference);
  Series::Pointer    generated = MakeSeries({ 7, 5, 4, 17 }, Generated);
  std::string        referenceNifti = directory / "reference.nii.gz";
  std::string        generatedNifti = directory / "generated.nii";
  std::string        referenceSequence = directory / "reference_sequence.nrrd";
  std::string        generatedSequence = directory / "generated_sequence.nrrd";
  std::string        referenceMultiVolume = directory / "reference_multivolume.nrrd";
  std::string        generatedMultiVolume = directory / "generated_multivolume.nrrd";
  MapFiles()
  {
    WriteSeries(reference, referenceNifti, "int16");
    WriteSeries(generated, generatedNifti, "float32");
    WriteSlicerNrrd(reference, referenceSequence, SlicerNrrdLayout::Sequence, { "int16", true });
    WriteSlicerNrrd(generated, generatedSequence, SlicerNrrdLayout::Sequence, { "float32", false });
    WriteSlicerNrrd(reference, referenceMultiVolume, SlicerNrrdLayout::MultiVolume, { "int16", false });
    WriteSlicerNrrd(generated, generatedMultiVolume, SlicerNrrdLayout::MultiVolume, { "float32", true });
  }
};

Volume::Pointer
RunAndRead(const std::string & executable, const std::vector<std::string> & arguments, const std::string & output)
{
  const auto result = RunProgram(executable, arguments);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "");
  return ReadVolume(output);
}

TEST(SlicerNrrd, KLMapsAreTheBitsOfNifti)
{
  MapFiles          files;
  const std::string output = files.directory / "kl.nrrd";
  const auto        kl = [&](const std::string & reference, const std::string & generated) {
    return RunAndRead(
      VOXELKL_KL_EXECUTABLE,
      { "--reference", reference, "--generated", generated, "--output", output, "--direction", "symmetric" },
      output);
  };
  const auto expected = kl(files.referenceNifti, files.generatedNifti);
  double     sum = 0.0;
  for (std::size_t v = 0; v < expected->GetLargestPossibleRegion().GetNumberOfPixels(); ++v)
  {
    sum += expected->GetBufferPointer()[v];
  }
  EXPECT_GT(sum, 0.0);
  EXPECT_TRUE(SameVoxels(kl(files.referenceSequence, files.generatedSequence), expected));
  EXPECT_TRUE(SameVoxels(kl(files.referenceMultiVolume, files.generatedMultiVolume), expected));
  EXPECT_TRUE(SameVoxels(kl(files.referenceSequence, files.generatedMultiVolume), expected));
  EXPECT_TRUE(SameVoxels(kl(files.referenceMultiVolume, files.generatedNifti), expected));
  EXPECT_TRUE(SameVoxels(kl(files.referenceNifti, files.generatedSequence), expected));
}

TEST(SlicerNrrd, MomentMapsAreTheBitsOfNifti)
{
  MapFiles          files;
  const std::string mean = files.directory / "mean.nrrd";
  const std::string variance = files.directory / "variance.nrrd";
  const auto        moments = [&](const std::string & input) {
    RunAndRead(VOXELKL_MOMENTS_EXECUTABLE, { "--input", input, "--mean", mean, "--variance", variance }, mean);
    return std::make_pair(ReadVolume(mean), ReadVolume(variance));
  };
  for (const auto & [nifti, sequence, multiVolume] :
       { std::tuple{ files.referenceNifti, files.referenceSequence, files.referenceMultiVolume },
         std::tuple{ files.generatedNifti, files.generatedSequence, files.generatedMultiVolume } })
  {
    const auto expected = moments(nifti);
    for (const auto & nrrd : { sequence, multiVolume })
    {
      const auto maps = moments(nrrd);
      EXPECT_TRUE(SameVoxels(maps.first, expected.first)) << nrrd;
      EXPECT_TRUE(SameVoxels(maps.second, expected.second)) << nrrd;
    }
  }
}

} // namespace
