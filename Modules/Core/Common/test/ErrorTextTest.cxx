// ITK's messages as a user sees them: one line, no source location, no class and address.
// The inputs are what ITK 5.2 and teem really print (copied from the executables' stderr).
#include "voxelkl/ErrorText.h"

#include <gtest/gtest.h>

namespace
{

using voxelkl::ItkErrorText;
using voxelkl::OneLine;

TEST(ErrorText, OneLineJoinsTrimmedNonEmptyLines)
{
  EXPECT_EQ(OneLine("a\n  b \r\n\n c"), "a; b; c");
  EXPECT_EQ(OneLine("reading x:\n[nrrd] trouble"), "reading x: [nrrd] trouble");
  EXPECT_EQ(OneLine("no newline"), "no newline");
  EXPECT_EQ(OneLine("\n\n"), "");
}

TEST(ErrorText, NrrdHeaderErrorLosesPrefixesAndTags)
{
  const std::string description =
    "itk::ERROR: NrrdImageIO(0x564e68c84cb0): ReadImageInformation: Error reading broken.nrrd:\n"
    "[nrrd] nrrdLoad: trouble reading \"broken.nrrd\"\n"
    "[nrrd] nrrdRead: trouble\n"
    "[nrrd] _nrrdReadNrrdParse_sizes: parsed 3 values, but dimension is 4\n";
  EXPECT_EQ(ItkErrorText(description),
            "ReadImageInformation: Error reading broken.nrrd: nrrdLoad: trouble reading \"broken.nrrd\"; nrrdRead: "
            "trouble; _nrrdReadNrrdParse_sizes: parsed 3 values, but dimension is 4");
}

TEST(ErrorText, WhatOfAnItkExceptionLosesItsLocation)
{
  EXPECT_EQ(ItkErrorText("./Modules/IO/ImageBase/src/itkImageIOBase.cxx:399:\nITK ERROR: MetaImageIO(0x55b8bdd38690): "
                         "Unknown component type: itk::CommonEnums::IOComponent::UNKNOWNCOMPONENTTYPE"),
            "Unknown component type: itk::CommonEnums::IOComponent::UNKNOWNCOMPONENTTYPE");
  EXPECT_EQ(ItkErrorText("/usr/include/ITK-5.2/itkImportImageContainer.hxx:192:\nFailed to allocate memory for image."),
            "Failed to allocate memory for image.");
}

TEST(ErrorText, OurOwnMessagesPassUnchanged)
{
  const std::string message = "m.nii.gz: invalid NIfTI header: vox_offset 348 is below 352";
  EXPECT_EQ(ItkErrorText(message), message);
  EXPECT_EQ(ItkErrorText("a.nii and b.nii are not on the same grid: size differs along axis 0: 6 vs 7"),
            "a.nii and b.nii are not on the same grid: size differs along axis 0: 6 vs 7");
  EXPECT_EQ(ItkErrorText("kl.nii: cannot be written: No space left on device"),
            "kl.nii: cannot be written: No space left on device");
}

} // namespace
