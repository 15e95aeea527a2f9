// PrepareItkForThreads() leaves every global ITK would otherwise create on first use, from
// whichever thread comes first, registered in itk::SingletonIndex. CTest runs each case in
// a process of its own, so nothing has created them before.
#include "voxelkl/ItkGlobals.h"

#include "itkSingleton.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace
{

// The names ITK 5.2 registers them under (itkSingletonMacro.h: the variable's name for
// values, the class's name for the classes' private globals).
const char * const LazyGlobals[] = { "GlobalReleaseDataFlag", "GlobalWarningDisplay", "MultiThreaderBase",
                                     "ObjectFactoryBase",     "OutputWindow",         "DefaultDoublePrecision" };

bool
Registered(const char * name)
{
  return itk::SingletonIndex::GetInstance()->GetGlobalInstance<void>(name) != nullptr;
}

TEST(ItkGlobals, AbsentAtStartAndRegisteredAfterPreparing)
{
  // The release-data flag is the one two parallel pipeline updates raced on (LeakSanitizer
  // saw the lost copy): nothing in a fresh process has made it yet.
  EXPECT_FALSE(Registered("GlobalReleaseDataFlag"));
  voxelkl::PrepareItkForThreads();
  for (const char * name : LazyGlobals)
  {
    EXPECT_TRUE(Registered(name)) << name;
  }
}

TEST(ItkGlobals, ManyThreadsAtOnceGiveOneSetOfGlobals)
{
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
  {
    threads.emplace_back([] { voxelkl::PrepareItkForThreads(); });
  }
  for (auto & thread : threads)
  {
    thread.join();
  }
  for (const char * name : LazyGlobals)
  {
    EXPECT_TRUE(Registered(name)) << name;
  }
}

} // namespace
