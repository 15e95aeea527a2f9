#include "voxelkl/ItkGlobals.h"

#include "itkDataObject.h"
#include "itkMetaImageIO.h"
#include "itkMultiThreaderBase.h"
#include "itkObjectFactoryBase.h"
#include "itkOutputWindow.h"

#include <mutex>

namespace voxelkl
{

void
PrepareItkForThreads()
{
  static std::once_flag once;
  std::call_once(once, [] {
    // Each getter creates its global (and its SingletonIndex entry) if it does not exist.
    (void)itk::DataObject::GetGlobalReleaseDataFlag();
    (void)itk::Object::GetGlobalWarningDisplay();
    (void)itk::MultiThreaderBase::GetGlobalDefaultThreader();
    (void)itk::MultiThreaderBase::GetGlobalDefaultNumberOfThreads();
    (void)itk::ObjectFactoryBase::GetRegisteredFactories();
    (void)itk::OutputWindow::GetInstance();
    (void)itk::MetaImageIO::GetDefaultDoublePrecision();
  });
}

} // namespace voxelkl
