// Reads NIfTI files the ways Testing/Benchmarks/inflate_benchmark.sh times, one thread per
// file (a pair is read as VoxelKL's executables read it: both series at once), and prints
// the wall time and what was inflated.
//   VoxelKLInflateBenchmark stream FILE...           NiftiVolumeStream, a volume a call
//   VoxelKLInflateBenchmark io DIVISIONS FILE...     ImageFileReader(voxelkl::NiftiImageIO)
//                                                    -> StreamingImageFilter(DIVISIONS, z slabs)
//   VoxelKLInflateBenchmark io-warm DIVISIONS FILE... the same twice with one IO object per
//                                                    file; only the second read is timed (the
//                                                    index of access points is built)
//   VoxelKLInflateBenchmark itk-io DIVISIONS FILE... the same through ITK's NiftiImageIO
// Prints "seconds S": the wall time of the timed reads, all files at once.
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/NiftiVolumeStream.h"

#include "itkImageFileReader.h"
#include "itkImageRegionSplitterDirection.h"
#include "itkNiftiImageIO.h"
#include "itkStreamingImageFilter.h"

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace
{

using ImageType = itk::Image<float, 4>;

/** Checksum of the values, so that no read can be optimised away. */
double
Sum(const float * values, std::size_t n)
{
  double sum = 0.0;
  for (std::size_t i = 0; i < n; i += 4099)
  {
    sum += values[i];
  }
  return sum;
}

double
ReadWithStream(const std::string & path)
{
  voxelkl::NiftiVolumeStream stream(path);
  constexpr std::size_t      perCall = 1;
  std::vector<float>         volumes(perCall * stream.VoxelsPerVolume());
  double                     sum = 0.0;
  while (stream.VolumesRead() < stream.VolumeCount())
  {
    const std::size_t count = std::min(perCall, stream.VolumeCount() - stream.VolumesRead());
    stream.ReadVolumes(count, volumes.data());
    sum += Sum(volumes.data(), count * stream.VoxelsPerVolume());
  }
  return sum;
}

double
ReadWithPipeline(const std::string & path, unsigned divisions, itk::ImageIOBase * io, std::uint64_t & inflated)
{
  auto reader = itk::ImageFileReader<ImageType>::New();
  reader->SetFileName(path);
  reader->SetImageIO(io);
  auto splitter = itk::ImageRegionSplitterDirection::New();
  splitter->SetDirection(3); // t whole, as a 4D -> 3D reduction asks for it: z slabs
  auto streamer = itk::StreamingImageFilter<ImageType, ImageType>::New();
  streamer->SetInput(reader->GetOutput());
  streamer->SetNumberOfStreamDivisions(divisions);
  streamer->SetRegionSplitter(splitter);
  streamer->Update();
  if (auto * ours = dynamic_cast<voxelkl::NiftiImageIO *>(io))
  {
    inflated = ours->GetInflatedBytes();
  }
  const ImageType * image = streamer->GetOutput();
  return Sum(image->GetBufferPointer(), image->GetBufferedRegion().GetNumberOfPixels());
}

} // namespace

int
main(int argc, char * argv[])
{
  const std::vector<std::string> args(argv + 1, argv + argc);
  const bool                     stream = !args.empty() && args[0] == "stream";
  const bool pipeline = args.size() >= 3 && (args[0] == "io" || args[0] == "io-warm" || args[0] == "itk-io");
  if (!(stream && args.size() >= 2) && !pipeline)
  {
    std::cerr << "usage: VoxelKLInflateBenchmark stream FILE... | io|io-warm|itk-io DIVISIONS FILE...\n";
    return 2;
  }
  const unsigned                 divisions = pipeline ? static_cast<unsigned>(std::stoul(args[1])) : 0;
  const std::vector<std::string> files(args.begin() + (pipeline ? 2 : 1), args.end());
  std::vector<double>            sums(files.size());
  std::vector<std::uint64_t>     inflated(files.size());
  std::vector<std::string>       errors(files.size());
  // io-warm: the first reads (untimed) build each IO's index; the timed ones start together.
  std::vector<voxelkl::NiftiImageIO::Pointer> warmIOs(files.size());
  if (args[0] == "io-warm")
  {
    std::vector<std::thread> warmers;
    for (std::size_t i = 0; i < files.size(); ++i)
    {
      warmIOs[i] = voxelkl::NiftiImageIO::New();
      warmers.emplace_back([&, i] { ReadWithPipeline(files[i], divisions, warmIOs[i], inflated[i]); });
    }
    for (std::thread & thread : warmers)
    {
      thread.join();
    }
  }
  const auto               start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < files.size(); ++i)
  {
    threads.emplace_back([&, i] {
      try
      {
        if (stream)
        {
          sums[i] = ReadWithStream(files[i]);
        }
        else if (args[0] == "io")
        {
          sums[i] = ReadWithPipeline(files[i], divisions, voxelkl::NiftiImageIO::New(), inflated[i]);
        }
        else if (args[0] == "io-warm")
        {
          const std::uint64_t before = inflated[i];
          sums[i] = ReadWithPipeline(files[i], divisions, warmIOs[i], inflated[i]);
          inflated[i] -= before;
        }
        else
        {
          sums[i] = ReadWithPipeline(files[i], divisions, itk::NiftiImageIO::New(), inflated[i]);
        }
      }
      catch (const std::exception & e)
      {
        errors[i] = e.what();
      }
    });
  }
  for (std::thread & thread : threads)
  {
    thread.join();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int          status = 0;
  for (std::size_t i = 0; i < files.size(); ++i)
  {
    if (!errors[i].empty())
    {
      std::cerr << errors[i] << '\n';
      status = 1;
    }
    std::cout << files[i] << ": checksum " << sums[i] << ", inflated " << inflated[i] << " bytes\n";
  }
  std::cout << "seconds " << seconds << '\n';
  return status;
}
