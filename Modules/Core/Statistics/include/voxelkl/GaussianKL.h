// Closed-form Kullback-Leibler divergences between univariate Gaussians (pure C++).
#ifndef voxelkl_GaussianKL_h
#define voxelkl_GaussianKL_h

#include <string>

namespace voxelkl
{

/** Mean and (population) variance of a Gaussian. */
struct GaussianParameters
{
  double mean;
  double variance;
};

/** r - 1 - ln(r) for r > 0, written as u - log1p(u) with u = r - 1 and a series near
 * u = 0, so that it stays accurate (and never negative) when the two variances are
 * nearly equal, where the naive form cancels to 0 or below. */
double
VarianceRatioTerm(double ratio);

/** KL(p || q) in nats, both variances > 0:
 * 1/2 [ r - 1 - ln r + (mu_p - mu_q)^2 / var_q ],  r = var_p / var_q. */
double
GaussianKL(const GaussianParameters & p, const GaussianParameters & q);

/** Jeffreys divergence KL(p||q) + KL(q||p), written without logarithms. */
double
GaussianJeffreys(const GaussianParameters & p, const GaussianParameters & q);

/** Which KL a map holds. P is the reference (real) series, Q the generated one, as in
 * the seed note's D_KL(P || Q). */
enum class KLDirection
{
  Forward,  ///< KL(reference || generated)
  Reverse,  ///< KL(generated || reference): the order of MindAligner's loss
  Symmetric ///< Jeffreys: the sum of both
};

/** The divergence of the given direction between reference and generated Gaussians. */
double
GaussianDivergence(const GaussianParameters & reference, const GaussianParameters & generated, KLDirection direction);

/** "forward", "reverse", "symmetric"; ParseKLDirection throws std::invalid_argument. */
std::string
ToString(KLDirection direction);
KLDirection
ParseKLDirection(const std::string & name);

} // namespace voxelkl

#endif
