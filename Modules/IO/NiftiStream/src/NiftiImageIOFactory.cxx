#include "voxelkl/NiftiImageIO.h"

#include "itkVersion.h"

namespace voxelkl
{

namespace
{

// Makes NiftiImageIOs that claim files as their factory says.
class CreateNiftiImageIO : public itk::CreateObjectFunctionBase
{
public:
  using Self = CreateNiftiImageIO;
  using Pointer = itk::SmartPointer<Self>;

  static Pointer
  New(NiftiClaim claim)
  {
    Pointer function = new Self(claim);
    function->UnRegister();
    return function;
  }
  itk::LightObject::Pointer
  CreateObject() override
  {
    auto io = NiftiImageIO::New();
    io->SetClaim(m_Claim);
    return io.GetPointer();
  }

private:
  explicit CreateNiftiImageIO(NiftiClaim claim)
    : m_Claim(claim)
  {
  }
  NiftiClaim m_Claim;
};

} // namespace

NiftiImageIOFactory::NiftiImageIOFactory(NiftiClaim claim)
  : m_Claim(claim)
{
  this->RegisterOverride("itkImageIOBase",
                         "voxelkl::NiftiImageIO",
                         "VoxelKL NIfTI-1 IO (ISA-L inflate, indexed .nii.gz regions, NaN kept)",
                         true,
                         CreateNiftiImageIO::New(claim));
}

NiftiImageIOFactory::Pointer
NiftiImageIOFactory::New(NiftiClaim claim)
{
  Pointer factory = new Self(claim);
  factory->UnRegister();
  return factory;
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
RegisterNiftiImageIO(NiftiClaim claim)
{
  for (itk::ObjectFactoryBase * factory : itk::ObjectFactoryBase::GetRegisteredFactories())
  {
    if (auto * ours = dynamic_cast<NiftiImageIOFactory *>(factory))
    {
      if (ours->GetClaim() == claim)
      {
        return;
      }
      itk::ObjectFactoryBase::UnRegisterFactory(ours);
      break;
    }
  }
  itk::ObjectFactoryBase::RegisterFactory(NiftiImageIOFactory::New(claim),
                                          itk::ObjectFactoryBase::InsertionPositionEnum::INSERT_AT_FRONT);
}

} // namespace voxelkl
