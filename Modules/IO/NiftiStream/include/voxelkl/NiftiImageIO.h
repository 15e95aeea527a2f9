// An itk::ImageIOBase for NIfTI-1 .nii/.nii.gz that streams regions of a .nii.gz cheaply and
// keeps NaN/inf voxels.
#ifndef voxelkl_NiftiImageIO_h
#define voxelkl_NiftiImageIO_h

#include "itkImageIOBase.h"
#include "itkObjectFactoryBase.h"

#include <cstdint>
#include <memory>
#include <string>

namespace voxelkl
{

/** Reads single-file NIfTI-1 images (.nii, .nii.gz) of 3 or 4 dimensions into ITK
 * pipelines, any requested region at a time (CanStreamRead() is true).
 *
 * Why, compared with ITK 5.2's itk::NiftiImageIO:
 * - a .nii.gz region does not re-inflate the file from its start: the IO keeps, across
 *   reads of the same file, an index of inflate access points built as it inflates (every
 *   few MiB of output, plus where each read stopped), and starts each read at the nearest
 *   point before it. Streaming a 4D .nii.gz in 16 slabs costs about one whole read, where
 *   ITK's costs 16 (itk-streaming.md section 4). Inflate is ISA-L's.
 * - NaN and +-inf voxels stay what they are (niftilib, and so ITK, sets them to 0).
 * - values are those of voxelkl::NiftiVolumeStream, bit for bit: scl_slope/scl_inter are
 *   applied by ITK 5.2's rule (see NiftiVolumeStream::IsScaled), and the component type is
 *   float (double for float64 voxels) when they are, the voxel type on disk otherwise.
 * Geometry (dimensions, spacing, origin, direction) and the metadata dictionary are those
 * ITK's own NiftiImageIO reports for the file: they are taken from it (its header-only
 * ReadImageInformation), so that images read through either IO sit on the same grid. The
 * voxels are located and decoded with VoxelKL's own header parser.
 *
 * Not read (CanReadFile() false, ITK's NiftiImageIO takes them): .hdr/.img pairs, Analyze,
 * NIfTI-2, more than 4 dimensions, and voxel types other than (u)int8/16/32, float32 and
 * float64. Writing is left to ITK's NiftiImageIO (CanWriteFile() is false).
 * Bad input throws itk::ExceptionObject whose description names the file and the problem
 * ("truncated", "corrupt compressed data (CRC mismatch ...)").
 *
 * To use it for every .nii/.nii.gz an itk::ImageFileReader opens, call
 * voxelkl::RegisterNiftiImageIO() once (e.g. at the start of main); or give a reader its own
 * instance with reader->SetImageIO(voxelkl::NiftiImageIO::New()). */
class NiftiImageIO : public itk::ImageIOBase
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(NiftiImageIO);

  using Self = NiftiImageIO;
  using Superclass = itk::ImageIOBase;
  using Pointer = itk::SmartPointer<Self>;
  using ConstPointer = itk::SmartPointer<const Self>;

  itkNewMacro(Self);
  itkTypeMacro(NiftiImageIO, ImageIOBase);

  bool
  CanReadFile(const char * fileName) override;
  void
  ReadImageInformation() override;
  /** Reads m_IORegion (GetIORegion()) into buffer, x fastest. */
  void
  Read(void * buffer) override;
  bool
  CanStreamRead() override
  {
    return true;
  }
  /** The requested region itself, in the file's dimensions (ImageIOBase's gives the whole
   * image): axes the request lacks are read at index 0, axes the file lacks must be 0/1. */
  itk::ImageIORegion
  GenerateStreamableReadRegionFromRequestedRegion(const itk::ImageIORegion & requested) const override;

  bool
  CanWriteFile(const char *) override
  {
    return false;
  }
  void
  WriteImageInformation() override;
  void
  Write(const void * buffer) override;

  /** Output bytes a .nii.gz has been inflated by so far (0 for a .nii): what streamed reads
   * cost. Kept, with the access points, while the IO reads the same file. */
  std::uint64_t
  GetInflatedBytes() const;
  /** Access points of the current .nii.gz's index. */
  std::size_t
  GetNumberOfAccessPoints() const;
  /** Output bytes between spaced access points (default 4 MiB); applies to the next file. */
  itkSetMacro(AccessPointSpacing, std::uint64_t);
  itkGetConstMacro(AccessPointSpacing, std::uint64_t);

protected:
  NiftiImageIO();
  ~NiftiImageIO() override;
  void
  PrintSelf(std::ostream & os, itk::Indent indent) const override;

private:
  struct OpenFile;

  template <typename TDisk, typename TOut>
  void
  ReadRegion(TOut * out);
  void
  ReadRaw(std::uint64_t offset, void * destination, std::size_t bytes);
  [[noreturn]] void
  Fail(const std::string & problem) const;

  std::uint64_t             m_AccessPointSpacing;
  std::unique_ptr<OpenFile> m_Open;
};

/** Makes an object factory for NiftiImageIO. */
class NiftiImageIOFactory : public itk::ObjectFactoryBase
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(NiftiImageIOFactory);

  using Self = NiftiImageIOFactory;
  using Superclass = itk::ObjectFactoryBase;
  using Pointer = itk::SmartPointer<Self>;
  using ConstPointer = itk::SmartPointer<const Self>;

  const char *
  GetITKSourceVersion() const override;
  const char *
  GetDescription() const override;

  itkFactorylessNewMacro(Self);
  itkTypeMacro(NiftiImageIOFactory, ObjectFactoryBase);

protected:
  NiftiImageIOFactory();
  ~NiftiImageIOFactory() override;
  void
  PrintSelf(std::ostream & os, itk::Indent indent) const override;
};

/** Registers NiftiImageIOFactory with itk::ObjectFactoryBase at the front of the list, so
 * that itk::ImageIOFactory (and so every itk::ImageFileReader) picks voxelkl::NiftiImageIO
 * for the .nii/.nii.gz files it can read, before ITK's own NiftiImageIO; the others still
 * go to ITK's. Call it once (again: no effect), after static initialisation (in main):
 * later RegisterFactory calls at the front would go before it. */
void
RegisterNiftiImageIO();

} // namespace voxelkl

#endif
