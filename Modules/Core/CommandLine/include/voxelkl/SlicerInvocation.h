// Whether 3D Slicer started this process, for output meant for Slicer only.
#ifndef voxelkl_SlicerInvocation_h
#define voxelkl_SlicerInvocation_h

namespace voxelkl
{

/** True when 3D Slicer runs this process as a CLI module and reads its stdout: stdout is not
 * a terminal, and either the command line has one of the options Slicer adds
 * (--returnparameterfile, --processinformationaddress; RunCommand notes them) or
 * ITK_AUTOLOAD_PATH is set and empty, which Slicer's CLI logic does for every run it starts
 * (vtkSlicerCLIModuleLogic, so that the CLI loads none of Slicer's ITK plugins). */
bool
IsRunBySlicer();

/** Records whether the command line carried Slicer's options; RunCommand calls it. */
void
NoteSlicerArguments(bool present);

} // namespace voxelkl

#endif
