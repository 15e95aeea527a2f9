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

/** Which .nii/.nii.gz files voxelkl::NiftiImageIO says it can read (CanReadFile). */
enum class NiftiClaim
{
  /** Those whose header it accepts; the others go on to ITK's NiftiImageIO (the default,
   * for pipelines that want ITK's behaviour for what this IO does not read). */
  ReadableFiles,
  /** Every existing file with a .nii/.nii.gz name: a header it refuses makes
   * ReadImageInformation throw its error (e.g. "invalid NIfTI header: vox_offset 348 is
   * below 352"), so niftilib never reads such a file (it would read vox_offset < 352 as
   * 352, turn NaN into 0, read the voxels of an x.nii beside x.nii.gz, abort or hang on a
   * non-finite or huge sform). What VoxelKL's executables register. */
  EveryNiftiFile
};

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
 * The header is checked field by field before ITK's IO sees it (finite pixdim, qform and
 * sform within +-1e9, vox_offset >= 352, ...), and an uncompressed file's size against it.
 *
 * Not read (with NiftiClaim::ReadableFiles CanReadFile() is false and ITK's NiftiImageIO
 * takes them; with NiftiClaim::EveryNiftiFile they are refused): .hdr/.img pairs, Analyze,
 * NIfTI-2, more than 4 dimensions, voxel types other than (u)int8/16/32, float32 and
 * float64, and headers with an invalid field. Writing is left to ITK's NiftiImageIO
 * (CanWriteFile() is false).
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
  /** Whether a .nii.gz read in pieces (a region less than the whole image) is inflated
   * once into an unlinked scratch file in TMPDIR, where later pieces are read back (default
   * on; used only when TMPDIR has room for the inflated data plus 256 MiB). Off, or without
   * room, pieces resume from the access points, which inflates a file streamed in z slabs
   * about twice. The scratch is kept while the IO reads the same file. */
  itkSetMacro(UseDecodedScratch, bool);
  itkGetConstMacro(UseDecodedScratch, bool);
  itkBooleanMacro(UseDecodedScratch);
  /** Whether the current .nii.gz is being kept in a scratch file. */
  bool
  GetUsesDecodedScratch() const;
  /** Output bytes between spaced access points (default 4 MiB); applies to the next file. */
  itkSetMacro(AccessPointSpacing, std::uint64_t);
  itkGetConstMacro(AccessPointSpacing, std::uint64_t);
  /** Which files CanReadFile claims (default NiftiClaim::ReadableFiles). */
  itkSetEnumMacro(Claim, NiftiClaim);
  itkGetEnumMacro(Claim, NiftiClaim);

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
  NiftiClaim                m_Claim{ NiftiClaim::ReadableFiles };
  bool                      m_UseDecodedScratch{ true };
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
  /** A factory whose IOs claim files as claim says. */
  static Pointer
  New(NiftiClaim claim);
  NiftiClaim
  GetClaim() const
  {
    return m_Claim;
  }

protected:
  explicit NiftiImageIOFactory(NiftiClaim claim = NiftiClaim::ReadableFiles);
  ~NiftiImageIOFactory() override;
  void
  PrintSelf(std::ostream & os, itk::Indent indent) const override;

private:
  NiftiClaim m_Claim;
};

/** Registers NiftiImageIOFactory with itk::ObjectFactoryBase at the front of the list, so
 * that itk::ImageIOFactory (and so every itk::ImageFileReader) picks voxelkl::NiftiImageIO
 * for the .nii/.nii.gz files it can read, before ITK's own NiftiImageIO; the others still
 * go to ITK's (NiftiClaim::ReadableFiles), or are refused with this IO's error
 * (NiftiClaim::EveryNiftiFile, what VoxelKL's executables call). Call it once, after static
 * initialisation (in main): later RegisterFactory calls at the front would go before it.
 * Called again with the same claim it does nothing; with another, it replaces the factory. */
void
RegisterNiftiImageIO(NiftiClaim claim = NiftiClaim::ReadableFiles);

} // namespace voxelkl

#endif
