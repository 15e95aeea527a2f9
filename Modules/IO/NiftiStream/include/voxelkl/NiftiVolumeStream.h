// Sequential, one-pass reader of the voxels of a NIfTI-1 image, one volume at a time.
#ifndef voxelkl_NiftiVolumeStream_h
#define voxelkl_NiftiVolumeStream_h

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace voxelkl
{
namespace detail
{
class SequentialFile;
}

/** Reads the voxels of a single-file NIfTI-1 image (.nii or .nii.gz) of 3 or 4 dimensions
 * front to back, a few volumes (time points of nx*ny*nz voxels) per call.
 *
 * Why: ITK's NIfTI IO re-inflates a .nii.gz from the start of the file for every streamed
 * tile, so a tile-by-tile read of a 4D .nii.gz costs O(tiles x file). This class inflates
 * the file once, with ISA-L (about twice as fast as zlib), in ~1.7 MiB of its own (a 1 MiB
 * chunk, ISA-L's state and a 512 KiB input buffer) besides the caller's output. Whether a
 * file is gzip is told by its first two bytes, not its name (as zlib's gzopen does).
 *
 * Values are converted to float or double exactly as itk::ImageFileReader with ITK 5.2's
 * NiftiImageIO converts them into an itk::Image<T, 4>, scaling included (see Slope()), so
 * that the two read paths give the same bits -- with one deliberate exception: NaN and
 * +-inf voxels of float32/float64 files stay what they are (and scaled, stay non-finite),
 * where niftilib, and so ITK, sets them to 0 before scaling. Callers skip non-finite
 * values; a 0 would be counted as data.
 *
 * Files of either byte order are read. The file named is the file read (niftilib, given
 * x.nii.gz, reads the voxels of an x.nii beside it). The header is checked field by field
 * (see "invalid NIfTI header" in NiftiHeader.h). Not supported, with an
 * InputError naming the file: .hdr/.img pairs, Analyze 7.5, NIfTI-2, more than 4
 * dimensions, and voxel types other than uint8, int8, int16, uint16, int32, uint32, float32
 * and float64. Use CanRead() to choose between this class and ITK.
 *
 * One object per thread; different objects may be used in parallel. */
class NiftiVolumeStream
{
public:
  /** Opens the file and reads and checks its header. Throws InputError(path, problem). */
  explicit NiftiVolumeStream(const std::string & path);
  ~NiftiVolumeStream();
  NiftiVolumeStream(const NiftiVolumeStream &) = delete;
  NiftiVolumeStream &
  operator=(const NiftiVolumeStream &) = delete;
  NiftiVolumeStream(NiftiVolumeStream &&) noexcept = default;
  NiftiVolumeStream &
  operator=(NiftiVolumeStream &&) noexcept = default;

  /** True for a .nii or .nii.gz file whose header this class accepts. Never throws. */
  static bool
  CanRead(const std::string & path) noexcept;
  /** Reads path to its end (a .nii.gz to its last trailer) and throws its InputError
   * (truncated, CRC mismatch, ...), if any. For error paths: when another reader fails on
   * a file whose header this class accepts, this finds and names what is wrong. */
  static void
  Verify(const std::string & path);
  /** True for a name ending in .nii or .nii.gz (any case): a file that only this class (or
   * voxelkl::NiftiImageIO) should read, refused with its error when it cannot, never passed
   * on to niftilib. */
  static bool
  HasNiftiName(const std::string & path) noexcept;

  const std::string &
  Path() const
  {
    return m_Path;
  }
  /** nx, ny, nz. */
  std::array<std::size_t, 3>
  VolumeSize() const
  {
    return m_VolumeSize;
  }
  std::size_t
  VoxelsPerVolume() const
  {
    return m_VoxelsPerVolume;
  }
  /** dim[4], 1 for a 3D image. */
  std::size_t
  VolumeCount() const
  {
    return m_VolumeCount;
  }
  /** Voxel type on disk: "uint8", "int8", "int16", "uint16", "int32", "uint32", "float32"
   * or "float64". */
  std::string
  VoxelTypeName() const;

  /** Whether scl_slope/scl_inter change the values, by ITK 5.2's rule (NiftiImageIO::
   * MustRescale): a non-finite scl_slope or scl_inter counts as 0 (niftilib), a slope of 0
   * as 1 -- but, unlike the NIfTI standard, the intercept is still applied then -- and the
   * values are scaled unless slope is 1 and intercept 0 (within double epsilon).
   * Scaled values are computed as ITK does: float(double(float(v)) * slope + intercept)
   * for every on-disk type except float64, which gives double(v) * slope + intercept; then
   * cast to T. */
  bool
  IsScaled() const
  {
    return m_Scaled;
  }
  /** The slope applied: 1 when !IsScaled(). */
  double
  Slope() const
  {
    return m_Scaled ? m_Slope : 1.0;
  }
  /** The intercept applied: 0 when !IsScaled(). */
  double
  Intercept() const
  {
    return m_Scaled ? m_Intercept : 0.0;
  }

  std::size_t
  VolumesRead() const
  {
    return m_VolumesRead;
  }
  /** Where the voxels start in the (uncompressed) file, and whether they are stored in the
   * other byte order: what a caller that maps the file itself needs. */
  std::size_t
  DataOffset() const
  {
    return m_DataOffset;
  }
  bool
  IsByteSwapped() const
  {
    return m_Swap;
  }
  /** qform_code and sform_code; both 0: the file has no orientation, and ITK (like
   * niftilib) gives it origin 0 and axes along x, y, z with spacing pixdim. */
  int
  QformCode() const
  {
    return m_QformCode;
  }
  int
  SformCode() const
  {
    return m_SformCode;
  }
  /** The repetition time: pixdim[4] in seconds by xyzt_units (unknown units taken as
   * seconds); 0 when the header gives none. */
  double
  TimeStep() const
  {
    return m_TimeStep;
  }
  /** Bytes of one stored voxel (2 for int16, scaled or not). */
  std::size_t
  BytesPerVoxel() const
  {
    return m_BytesPerVoxel;
  }

  /** Reads the next count volumes into out[0 .. count * VoxelsPerVolume()), in file order
   * (x fastest, then y, z, t), converted to T and scaled. Throws InputError(path, ...) when
   * count exceeds the volumes that remain, when the data is corrupt, and
   * "truncated: expected N volumes, file ends in volume k" (k counts from 1) when the file
   * ends early; after the last volume it also checks the gzip trailer (CRC, length). After
   * an exception the stream cannot be read further. T is float or double. */
  template <typename T>
  void
  ReadVolumes(std::size_t count, T * out)
  {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "NiftiVolumeStream reads into float or double");
    Read(count, out);
  }

private:
  void
  Read(std::size_t count, float * out);
  void
  Read(std::size_t count, double * out);
  template <typename T>
  void
  ReadConverted(std::size_t count, T * out);
  template <typename TDisk, typename T>
  void
  ReadAs(std::size_t count, T * out);
  /** Up to bytes of the (uncompressed) file at the current position; fewer only at its end. */
  std::size_t
  ReadSome(void * destination, std::size_t bytes);
  /** Exactly bytes into destination or throw; dataOffset = bytes of voxel data read
   * before destination (for the truncation message). */
  void
  ReadExactly(void * destination, std::size_t bytes, std::size_t dataOffset);
  void
  CheckEndOfData();
  [[noreturn]] void
  Fail(const std::string & problem);

  std::string                             m_Path;
  std::unique_ptr<detail::SequentialFile> m_File;
  std::array<std::size_t, 3>              m_VolumeSize{};
  std::size_t                             m_VoxelsPerVolume{ 0 };
  std::size_t                             m_VolumeCount{ 0 };
  std::size_t                             m_VolumesRead{ 0 };
  std::size_t                             m_DataOffset{ 0 };
  int                                     m_Datatype{ 0 };
  std::size_t                             m_BytesPerVoxel{ 0 };
  bool                                    m_Swap{ false };
  bool                                    m_Scaled{ false };
  double                                  m_Slope{ 1.0 };
  double                                  m_Intercept{ 0.0 };
  bool                                    m_Failed{ false };
  int                                     m_QformCode{ 0 };
  int                                     m_SformCode{ 0 };
  double                                  m_TimeStep{ 0.0 };
  /** On-disk bytes of a chunk of voxels before conversion; reused across calls. */
  std::vector<unsigned char> m_Raw;
};

} // namespace voxelkl

#endif
