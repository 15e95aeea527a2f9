// Linked to ITK the default way (no RPATH for Debian's library directories): the control
// that shows a fake library on LD_LIBRARY_PATH does break a binary without our DT_RPATH.
#include "itkVersion.h"

#include <iostream>

int
main()
{
  std::cout << "ITK " << itk::Version::GetITKVersion() << '\n';
  return 0;
}
