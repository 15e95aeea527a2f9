// The linear algebra of connectivity, on plain matrices: Pearson correlation matrices,
// Fisher z, Ledoit-Wolf shrinkage and the KL divergence between multivariate Gaussians
// (pure C++; Eigen3 inside).
#ifndef voxelkl_ConnectivityMath_h
#define voxelkl_ConnectivityMath_h

#include <cstddef>
#include <optional>
#include <vector>

namespace voxelkl
{

/** A dense matrix of doubles, row-major. */
struct Matrix
{
  std::size_t         rows{ 0 };
  std::size_t         cols{ 0 };
  std::vector<double> values;

  Matrix() = default;
  Matrix(std::size_t rowCount, std::size_t colCount, double fill = 0.0)
    : rows(rowCount)
    , cols(colCount)
    , values(rowCount * colCount, fill)
  {
  }
  double &
  operator()(std::size_t i, std::size_t j)
  {
    return values[i * cols + j];
  }
  double
  operator()(std::size_t i, std::size_t j) const
  {
    return values[i * cols + j];
  }
};

/** The Pearson correlation matrix of the columns of x (n observations x p variables,
 * n >= 2): centred sums of products over the square roots of the centred sums of squares.
 * The diagonal is exactly 1 and every other value is clamped to [-1, 1] (rounding can put
 * it a hair outside). std::invalid_argument when n < 2 or a column does not vary (its
 * correlations do not exist): callers exclude constant columns first. */
Matrix
CorrelationMatrix(const Matrix & x);

/** |r| is clamped to 1 - FisherZClamp before atanh: |z| <= atanh(1 - 1e-7) = 8.406, so a
 * correlation of +-1 (two identical region time series, or n = 2) gives a finite z. */
constexpr double FisherZClamp = 1e-7;

/** Fisher's z = atanh(r), r clamped to [-(1 - FisherZClamp), 1 - FisherZClamp]. */
double
FisherZ(double r);

/** Pearson r of two samples of the same length (two-pass, in double), clamped to [-1, 1];
 * none when there are fewer than 2 values or either sample does not vary. */
std::optional<double>
PearsonCorrelation(const std::vector<double> & a, const std::vector<double> & b);

/** Ledoit & Wolf (2004), "A well-conditioned estimator for large-dimensional covariance
 * matrices", of n observations x_k of p variables (the rows of x, n >= 2). The x_k are
 * centred by their mean and S = (1/n) sum_k x_k x_k^T (divide by n, as the paper and
 * sklearn.covariance.LedoitWolf); with ||A||^2 = tr(A A^T) / p (the paper's normalised
 * Frobenius norm):
 *   mu = tr(S) / p,  delta2 = ||S - mu I||^2,
 *   beta2 = min(delta2, (1/n^2) sum_k ||x_k x_k^T - S||^2),
 *   shrinkage = beta2 / delta2 (0 when beta2 = 0),
 *   Sigma = shrinkage mu I + (1 - shrinkage) S. */
struct LedoitWolfEstimate
{
  std::vector<double> mean;   ///< p
  Matrix              sample; ///< S, p x p
  Matrix              shrunk; ///< Sigma, p x p
  double              mu{ 0.0 };
  double              delta2{ 0.0 };
  double              beta2{ 0.0 };
  double              shrinkage{ 0.0 }; ///< in [0, 1]
};

LedoitWolfEstimate
LedoitWolf(const Matrix & x);

/** ln det of a symmetric positive definite matrix from its Cholesky factor (Eigen's LLT),
 * 2 sum ln L_ii; none when the factorisation fails (not positive definite). */
std::optional<double>
LogDeterminant(const Matrix & covariance);

/** KL(N(m1, s1) || N(m2, s2)) in nats,
 *   0.5 [tr(s2^-1 s1) + (m2 - m1)^T s2^-1 (m2 - m1) - p + ln det s2 - ln det s1].
 * With s2 = L L^T (Eigen's LLT) and lambda_i the eigenvalues of L^-1 s1 L^-T, the trace and
 * log-determinant terms are sum_i (lambda_i - 1 - ln lambda_i), each computed as
 * VarianceRatioTerm (u - log1p(u), as the voxel-wise Gaussian KL), so that nearly equal
 * covariances do not lose the result to cancellation between p-sized terms and the value is
 * never negative; the mean term is |L^-1 (m2 - m1)|^2. None when s2 or s1 is not positive
 * definite or the result is not finite. */
std::optional<double>
MultivariateGaussianKL(const std::vector<double> & m1,
                       const Matrix &              s1,
                       const std::vector<double> & m2,
                       const Matrix &              s2);

} // namespace voxelkl

#endif
