// The C++ user's pipeline that pipeline_benchmark.sh times: two NIfTI series read through
// voxelkl::NiftiImageIO, itk::GaussianKLDivergenceImageFilter, a StreamingImageFilter of N
// divisions, the KL map written. Usage: VoxelKLPipelineBenchmark REFERENCE GENERATED OUTPUT N
#include "voxelkl/FilterInstantiations.h"
#include "voxelkl/NiftiImageIO.h"

#include "itkImageFileReader.h"
#include "itkImageFileWriter.h"
#include "itkStreamingImageFilter.h"

#include <cstdlib>
#include <iostream>

int
main(int argc, char ** argv)
{
  if (argc != 5)
  {
    std::cerr << "usage: VoxelKLPipelineBenchmark REFERENCE GENERATED OUTPUT DIVISIONS\n";
    return 2;
  }
  voxelkl::RegisterNiftiImageIO();
  try
  {
    using Series = voxelkl::FloatSeries;
    auto reference = itk::ImageFileReader<Series>::New();
    reference->SetFileName(argv[1]);
    auto generated = itk::ImageFileReader<Series>::New();
    generated->SetFileName(argv[2]);
    auto kl = itk::GaussianKLDivergenceImageFilter<Series, voxelkl::MapImage>::New();
    kl->SetReferenceImage(reference->GetOutput());
    kl->SetGeneratedImage(generated->GetOutput());
    auto streamer = itk::StreamingImageFilter<voxelkl::MapImage, voxelkl::MapImage>::New();
    streamer->SetInput(kl->GetKLOutput());
    streamer->SetNumberOfStreamDivisions(static_cast<unsigned int>(std::atoi(argv[4])));
    auto writer = itk::ImageFileWriter<voxelkl::MapImage>::New();
    writer->SetInput(streamer->GetOutput());
    writer->SetFileName(argv[3]);
    writer->Update();
  }
  catch (const itk::ExceptionObject & error)
  {
    std::cerr << "VoxelKLPipelineBenchmark: error: " << error.GetDescription() << '\n';
    return 1;
  }
  return 0;
}
