// What a GUI or a pipeline expects of an ITK filter: Cancel stops it with ProcessAborted
// within one tile, the last progress event says 1, and the grid check names the field.
#include "SeriesFixtures.h"
#include "voxelkl/FilterInstantiations.h"

#include "itkCommand.h"
#include "itkStreamingImageFilter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

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

// The moments filter, recording which threads computed its rows.
class ThreadRecordingFilter : public itk::TemporalMomentsImageFilter<Series, Map>
{
public:
  using Self = ThreadRecordingFilter;
  using Pointer = itk::SmartPointer<Self>;
  itkNewMacro(Self);

  std::set<std::thread::id>
  Threads() const
  {
    const std::lock_guard<std::mutex> lock(m_Lock);
    return m_Threads;
  }

protected:
  void
  ProcessRow(const OutputIndexType & start, itk::SizeValueType length, const unsigned char * inside) override
  {
    {
      const std::lock_guard<std::mutex> lock(m_Lock);
      m_Threads.insert(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50)); // long enough for the others to steal rows
    itk::TemporalMomentsImageFilter<Series, Map>::ProcessRow(start, length, inside);
  }

private:
  mutable std::mutex        m_Lock;
  std::set<std::thread::id> m_Threads;
};

TEST(FilterContract, NumberOfWorkUnitsLimitsTheThreads)
{
  // ITK's pool threader reports at least its pool's size as its maximum number of threads
  // (2 here after SetMaximumNumberOfThreads(1)): a pipeline asks for n threads with
  // SetNumberOfWorkUnits(n), as for ITK's own filters.
  const Series::SizeType size{ { 16, 16, 4, 10 } };
  auto                   series = MakeVariedSeries(size, 5);
  for (unsigned int units : { 1u, 2u })
  {
    auto filter = ThreadRecordingFilter::New();
    filter->SetInput(series);
    filter->SetNumberOfWorkUnits(units);
    filter->Update();
    const std::size_t threads = filter->Threads().size();
    EXPECT_GE(threads, 1u);
    EXPECT_LE(threads, units) << units << " work units";
  }
}

TEST(FilterContract, AbortGenerateDataThrowsProcessAborted)
{
  const Series::SizeType size{ { 64, 64, 8, 30 } };
  auto                   reference = MakeVariedSeries(size, 5);
  auto                   generated = MakeVariedSeries(size, 6, 1.3);
  auto                   filter = itk::NonparametricKLDivergenceImageFilter<Series, Map>::New();
  filter->SetReferenceImage(reference);
  filter->SetGeneratedImage(generated);
  filter->GetMultiThreader()->SetMaximumNumberOfThreads(1);
  filter->SetNumberOfWorkUnits(1); // ITK's pool threader keeps at least its pool's threads
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
