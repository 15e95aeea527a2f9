// ITK's lazily created globals, made before threads reach them.
#ifndef voxelkl_ItkGlobals_h
#define voxelkl_ItkGlobals_h

namespace voxelkl
{

/** Creates, once per process, the globals ITK 5.2 makes on first use: the data release
 * flag (asked by every filter that releases its inputs, and by writers), the warning
 * display, the threader defaults, the object factories, the output window and MetaImage's
 * default precision. ITK inserts each into itk::SingletonIndex's std::map without a lock, so
 * two threads that reach one first (two upstream pipelines updated in parallel, two map
 * writers) race on that map: a lost global at best (found by LeakSanitizer in CI), a
 * corrupted map at worst. Call it before handing ITK objects to threads; it is cheap after
 * the first call and safe from any thread. */
void
PrepareItkForThreads();

} // namespace voxelkl

#endif
