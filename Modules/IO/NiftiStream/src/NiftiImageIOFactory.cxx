#include "voxelkl/NiftiImageIO.h"

#include "itkVersion.h"

namespace voxelkl
{

NiftiImageIOFactory::NiftiImageIOFactory()
{
  this->RegisterOverride("itkImageIOBase",
                         "voxelkl::NiftiImageIO",
                         "VoxelKL NIfTI-1 IO (ISA-L inflate, indexed .nii.gz regions, NaN kept)",
                         true,
                         itk::CreateObjectFunction<NiftiImageIO>::New());
}

NiftiImageIOFactory::~NiftiImageIOFactory() = default;

const char *
NiftiImageIOFactory::GetITKSourceVersion() const
{
  return ITK_SOURCE_VERSION;
}

const char *
NiftiImageIOFactory::GetDescription() const
{
  return "VoxelKL NIfTI-1 ImageIO factory (reads .nii/.nii.gz; ITK's NiftiImageIO writes)";
}

void
NiftiImageIOFactory::PrintSelf(std::ostream & os, itk::Indent indent) const
{
  Superclass::PrintSelf(os, indent);
}

void
RegisterNiftiImageIO()
{
  for (itk::ObjectFactoryBase * factory : itk::ObjectFactoryBase::GetRegisteredFactories())
  {
    if (dynamic_cast<NiftiImageIOFactory *>(factory) != nullptr)
    {
      return;
    }
  }
  itk::ObjectFactoryBase::RegisterFactory(NiftiImageIOFactory::New(),
                                          itk::ObjectFactoryBase::InsertionPositionEnum::INSERT_AT_FRONT);
}

} // namespace voxelkl
