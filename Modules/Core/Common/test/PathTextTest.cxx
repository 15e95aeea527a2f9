#include "voxelkl/PathText.h"

#include <gtest/gtest.h>

TEST(PathText, EndsWithAndLowercase)
{
  EXPECT_TRUE(voxelkl::EndsWith("a/b.nii.gz", ".nii.gz"));
  EXPECT_TRUE(voxelkl::EndsWith("a/b.nii.gz", ".gz"));
  EXPECT_FALSE(voxelkl::EndsWith("a/b.nii.gz", ".nii"));
  EXPECT_TRUE(voxelkl::EndsWith(".nii", ".nii"));
  EXPECT_FALSE(voxelkl::EndsWith("ii", ".nii"));
  EXPECT_FALSE(voxelkl::EndsWith("B.NII", ".nii")); // file systems are case-sensitive
  EXPECT_EQ(voxelkl::Lowercase("B.NII.Gz"), "b.nii.gz");
}
