#include "voxelkl/ReturnParameters.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace
{

TEST(ReturnParameters, NameEqualsValueLines)
{
  const std::string path = testing::TempDir() + "ReturnParametersTest.params";
  voxelkl::WriteReturnParameters(path, { { "meanKL", "0.125" }, { "converged", "true" }, { "shape", "16,16,9" } });
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  EXPECT_EQ(text.str(), "meanKL = 0.125\nconverged = true\nshape = 16,16,9\n");
  std::remove(path.c_str());
}

TEST(ReturnParameters, StdoutWithoutAFile)
{
  testing::internal::CaptureStdout();
  voxelkl::WriteReturnParameters("", { { "meanKL", "0.5" } });
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "meanKL = 0.5\n");
}

TEST(ReturnParameters, Errors)
{
  EXPECT_THROW(voxelkl::WriteReturnParameters("", { { "mean KL", "1" } }), std::logic_error);
  EXPECT_THROW(voxelkl::WriteReturnParameters("", { { "meanKL", "1\n2" } }), std::logic_error);
  EXPECT_THROW(voxelkl::WriteReturnParameters("/nonexistent/dir/x.params", { { "meanKL", "1" } }), std::runtime_error);
}

} // namespace
