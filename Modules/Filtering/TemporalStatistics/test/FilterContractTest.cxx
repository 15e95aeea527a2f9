// What a GUI or a pipeline expects of an ITK filter: Cancel stops it with ProcessAborted
// within one tile, the last progress event says 1, and the grid check names the field.
#include "SeriesFixtures.h"
#include "voxelkl/FilterInstantiations.h"

#include "itkCommand.h"
#include "itkStreamingImageFilter.h"

#include <gtest/gtest.h>

#include <atomic>

namespace
{
using namespace voxelkl::test;

// Sets AbortGenerateData on the first progress event, as a GUI's Cancel button would.
class AbortOnProgress : public itk::Command
{
public:
  using Self = AbortOnProgress;
  using Pointer = itk::SmartPointer<Self>;
  itkNewMacro(Self);
  void
  Execute(itk::Object * caller, const itk::EventObject & event) override
  {
    Execute(static_cast<const itk::Object *>(caller), event);
    if (itk::ProgressEvent().CheckEvent(&event))
    {
      static_cast<itk::ProcessObject *>(caller)->AbortGenerateDataOn();
    }
  }
  void
  Execute(const itk::Object *, const itk::EventObject & event) override
  {
    if (itk::ProgressEvent().CheckEvent(&event))
    {
      ++events;
    }
  }
  std::atomic<int> events{ 0 };
};

// Records the last progress reported.
class LastProgress : public itk::Command
{
public:
  using Self = LastProgress;
  using Pointer = itk::SmartPointer<Self>;
  itkNewMacro(Self);
  void
  Execute(itk::Object * caller, const itk::EventObject & event) override
  {
    Execute(static_cast<const itk::Object *>(caller), event);
  }
  void
  Execute(const itk::Object * caller, const itk::EventObject & event) override
  {
    if (itk::ProgressEvent().CheckEvent(&event))
    {
      last = static_cast<const itk::ProcessObject *>(caller)->GetProgress();
    }
  }
  float last{ -1.0f };
};

TEST(FilterContract, AbortGenerateDataThrowsProcessAborted)
{
  const Series::SizeType size{ { 64, 64, 8, 30 } };
  auto                   reference = MakeVariedSeries(size, 5);
  auto                   generated = MakeVariedSeries(size, 6, 1.3);
  auto                   filter = itk::NonparametricKLDivergenceImageFilter<Series, Map>::New();
  filter->SetReferenceImage(reference);
  filter->SetGeneratedImage(generated);
  filter->GetMultiThreader()->SetMaximumNumberOfThreads(1);
  auto observer = AbortOnProgress::New();
  filter->AddObserver(itk::ProgressEvent(), observer);
  EXPECT_THROW(filter->Update(), itk::ProcessAborted);
  EXPECT_GE(observer->events.load(), 1);
}

TEST(FilterContract, LastProgressEventIsOneForEveryStreamedTile)
{
  const Series::SizeType size{ { 37, 13, 9, 11 } }; // rows that do not divide evenly
  auto                   reference = MakeVariedSeries(size, 7);
  auto                   generated = MakeVariedSeries(size, 8, 0.7);
  auto                   filter = itk::GaussianKLDivergenceImageFilter<Series, Map>::New();
  filter->SetReferenceImage(reference);
  filter->SetGeneratedImage(generated);
  auto observer = LastProgress::New();
  filter->AddObserver(itk::ProgressEvent(), observer);
  auto streamer = itk::StreamingImageFilter<Map, Map>::New();
  streamer->SetInput(filter->GetKLOutput());
  streamer->SetNumberOfStreamDivisions(7);
  streamer->Update();
  EXPECT_EQ(observer->last, 1.0f);
}

TEST(FilterContract, GridCheckIsTheExecutablesOne)
{
  const Series::SizeType size{ { 5, 4, 3, 6 } };
  auto                   reference = MakeVariedSeries(size, 9);
  auto                   generated = MakeVariedSeries(size, 10);
  auto                   spacing = generated->GetSpacing();
  spacing[2] += 0.5;
  generated->SetSpacing(spacing);
  auto filter = itk::GaussianKLDivergenceImageFilter<Series, Map>::New();
  filter->SetReferenceImage(reference);
  filter->SetGeneratedImage(generated);
  try
  {
    filter->Update();
    FAIL() << "a grid that differs must be refused";
  }
  catch (const itk::ExceptionObject & error)
  {
    EXPECT_NE(std::string(error.GetDescription()).find("spacing differs along axis 2: 3 vs 3.5"), std::string::npos)
      << error.GetDescription();
  }
  std::ostringstream printed;
  filter->Print(printed);
  EXPECT_NE(printed.str().find("GridTolerance: coordinate 0.0001"), std::string::npos);
  EXPECT_NE(printed.str().find("DivergenceDirection: forward"), std::string::npos) << printed.str();
}

} // namespace
