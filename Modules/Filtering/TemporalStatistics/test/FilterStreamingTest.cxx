// Streaming tile by tile and running on any number of threads give the same bits as one
// unstreamed run, and the pipeline really streams.
#include "SeriesFixtures.h"
#include "voxelkl/FilterInstantiations.h"

#include "itkCastImageFilter.h"
#include "itkPipelineMonitorImageFilter.h"
#include "itkStreamingImageFilter.h"

#include <gtest/gtest.h>

#include <cstring>

namespace
{
using namespace voxelkl::test;
using KLFilter = itk::GaussianKLDivergenceImageFilter<Series, Map>;
using MomentsFilter = itk::TemporalMomentsImageFilter<Series, Map>;

// A non-in-place stage in front of the filter: an image already in memory would be
// handed over whole, and nothing upstream would run per tile.
struct StreamedSource
{
  using Cast = itk::CastImageFilter<Series, Series>;
  using Monitor = itk::PipelineMonitorImageFilter<Series>;
  Cast::Pointer    cast = Cast::New();
  Monitor::Pointer monitor = Monitor::New();
  explicit StreamedSource(const Series * series)
  {
    cast->SetInput(series);
    cast->InPlaceOff();
    monitor->SetInput(cast->GetOutput());
  }
  Series *
  Output()
  {
    return monitor->GetOutput();
  }
};

bool
SameBits(const Map * a, const Map * b)
{
  const auto n = a->GetLargestPossibleRegion().GetNumberOfPixels();
  return n == b->GetLargestPossibleRegion().GetNumberOfPixels() &&
         std::memcmp(a->GetBufferPointer(), b->GetBufferPointer(), n * sizeof(float)) == 0;
}

Map::Pointer
StreamKL(const Series * reference, const Series * generated, unsigned int tiles, unsigned int threads)
{
  StreamedSource referenceSource(reference);
  StreamedSource generatedSource(generated);
  auto           filter = KLFilter::New();
  filter->SetReferenceImage(referenceSource.Output());
  filter->SetGeneratedImage(generatedSource.Output());
  filter->SetDivergenceDirection(voxelkl::KLDirection::Symmetric);
  filter->GetMultiThreader()->SetMaximumNumberOfThreads(threads);
  filter->SetNumberOfWorkUnits(threads); // ITK's pool threader keeps at least its pool's threads
  auto streamer = itk::StreamingImageFilter<Map, Map>::New();
  streamer->SetInput(filter->GetOutput());
  streamer->SetNumberOfStreamDivisions(tiles);
  streamer->Update();
  // 12 slices along z split into `tiles` pieces: every piece re-ran the source.
  const unsigned int expectedPieces =
    tiles <= 12 ? (12 + (12 + tiles - 1) / tiles - 1) / ((12 + tiles - 1) / tiles) : 12;
  EXPECT_TRUE(referenceSource.monitor->VerifyInputFilterExecutedStreaming(static_cast<int>(expectedPieces)))
    << tiles << " tiles";
  EXPECT_EQ(referenceSource.monitor->GetNumberOfUpdates(), expectedPieces);
  Map::Pointer result = streamer->GetOutput();
  result->DisconnectPipeline();
  return result;
}

TEST(FilterStreaming, KLMapIsIdenticalForAnyTilesAndThreads)
{
  const Series::SizeType size{ { 9, 7, 12, 40 } };
  auto                   reference = MakeVariedSeries(size, 51);
  auto                   generated = MakeVariedSeries(size, 52, 1.3);
  const auto             baseline = StreamKL(reference, generated, 1, 1);
  for (unsigned int tiles : { 2u, 3u, 5u, 12u })
  {
    for (unsigned int threads : { 1u, 2u, 4u })
    {
      EXPECT_TRUE(SameBits(baseline, StreamKL(reference, generated, tiles, threads)))
        << tiles << " tiles, " << threads << " threads";
    }
  }
}

TEST(FilterStreaming, EveryMomentMapIsIdenticalWhenStreamedByHand)
{
  // Our executables drive tiles themselves so that every output (not just output 0) is
  // streamed; this is how.
  const Series::SizeType size{ { 8, 6, 10, 33 } };
  auto                   series = MakeVariedSeries(size, 61);
  auto                   whole = MomentsFilter::New();
  whole->SetInput(series);
  whole->GetMultiThreader()->SetMaximumNumberOfThreads(1);
  whole->SetNumberOfWorkUnits(1); // ITK's pool threader keeps at least its pool's threads
  whole->Update();

  StreamedSource source(series);
  auto           tiled = MomentsFilter::New();
  tiled->SetInput(source.Output());
  tiled->UpdateOutputInformation();
  const auto                region = tiled->GetOutput()->GetLargestPossibleRegion();
  std::vector<Map::Pointer> assembled;
  for (unsigned int n = 0; n < 6; ++n)
  {
    assembled.push_back(Map::New());
    assembled[n]->CopyInformation(tiled->GetOutput(n));
    assembled[n]->SetRegions(region);
    assembled[n]->Allocate();
  }
  for (long z = 0; z < 10; z += 3)
  {
    Map::RegionType tile = region;
    tile.SetIndex(2, z);
    tile.SetSize(2, std::min<long>(3, 10 - z));
    tiled->GetOutput()->SetRequestedRegion(tile);
    tiled->GetOutput()->Update();
    // The monitor restarts its record at every Update: it saw this tile x all time points.
    ASSERT_EQ(source.monitor->GetNumberOfUpdates(), 1u);
    const auto read = source.monitor->GetUpdatedBufferedRegions().front();
    EXPECT_EQ(read.GetIndex(2), tile.GetIndex(2));
    EXPECT_EQ(read.GetSize(2), tile.GetSize(2));
    EXPECT_EQ(read.GetSize(3), 33u);
    for (unsigned int n = 0; n < 6; ++n)
    {
      Map::IndexType index;
      for (index[2] = tile.GetIndex(2); index[2] < tile.GetIndex(2) + long(tile.GetSize(2)); ++index[2])
        for (index[1] = 0; index[1] < 6; ++index[1])
          for (index[0] = 0; index[0] < 8; ++index[0])
          {
            assembled[n]->SetPixel(index, tiled->GetOutput(n)->GetPixel(index));
          }
    }
  }
  for (unsigned int n = 0; n < 6; ++n)
  {
    EXPECT_TRUE(SameBits(whole->GetOutput(n), assembled[n])) << "map " << n;
  }
}

} // namespace
