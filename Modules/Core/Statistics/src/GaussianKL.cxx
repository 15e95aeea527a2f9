#include "voxelkl/GaussianKL.h"

#include <cmath>
#include <stdexcept>

namespace voxelkl
{

double
VarianceRatioTerm(double ratio)
{
  const double u = ratio - 1.0;
  if (std::fabs(u) < 1e-2)
  {
    // u - log1p(u) = sum_{k>=2} (-1)^k u^k / k; the terms past u^12 are below 1e-20
    // relative at |u| = 1e-2. Horner from the highest term down.
    double sum = 0.0;
    for (int k = 12; k >= 2; --k)
    {
      const double sign = (k % 2 == 0) ? 1.0 : -1.0;
      sum = sum * u + sign / k;
    }
    return sum * u * u;
  }
  return u - std::log1p(u);
}

double
GaussianKL(const GaussianParameters & p, const GaussianParameters & q)
{
  const double difference = p.mean - q.mean;
  return 0.5 * (VarianceRatioTerm(p.variance / q.variance) + difference * difference / q.variance);
}

double
GaussianJeffreys(const GaussianParameters & p, const GaussianParameters & q)
{
  const double varianceGap = p.variance - q.variance;
  const double difference = p.mean - q.mean;
  return varianceGap * varianceGap / (2.0 * p.variance * q.variance) +
         0.5 * difference * difference * (1.0 / p.variance + 1.0 / q.variance);
}

double
GaussianDivergence(const GaussianParameters & reference, const GaussianParameters & generated, KLDirection direction)
{
  switch (direction)
  {
    case KLDirection::Forward:
      return GaussianKL(reference, generated);
    case KLDirection::Reverse:
      return GaussianKL(generated, reference);
    case KLDirection::Symmetric:
      return GaussianJeffreys(reference, generated);
  }
  throw std::invalid_argument("unknown KL direction");
}

std::string
ToString(KLDirection direction)
{
  switch (direction)
  {
    case KLDirection::Forward:
      return "forward";
    case KLDirection::Reverse:
      return "reverse";
    case KLDirection::Symmetric:
      return "symmetric";
  }
  return "unknown";
}

KLDirection
ParseKLDirection(const std::string & name)
{
  if (name == "forward")
  {
    return KLDirection::Forward;
  }
  if (name == "reverse")
  {
    return KLDirection::Reverse;
  }
  if (name == "symmetric")
  {
    return KLDirection::Symmetric;
  }
  throw std::invalid_argument("unknown KL direction '" + name + "' (expected forward, reverse or symmetric)");
}

} // namespace voxelkl
