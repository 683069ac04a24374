//! Runtime choice of the instruction set for the distance kernels, without `unsafe` in this crate.
//!
//! The kernels are written once, generic over `Isa` (pulp's [`pulp::Simd`] plus a square root), and
//! run through `Kernels::dispatch`: with AVX-512 (x86-64-v4), with AVX2 + FMA (x86-64-v3), or as
//! portable scalar code that the compiler vectorises for the baseline target (SSE2 on x86-64), so the
//! same binary runs on any x86-64 machine and on other architectures. pulp does the feature detection
//! and holds the `unsafe` of the `#[target_feature]` calls.
//!
//! The level is detected once per process, capped by the environment variable `SEGSCOPE_SIMD`
//! (`scalar`, `avx2` or `avx512`; anything else or unset: the best the CPU has), and can be capped for
//! the calling thread with [`with_level`] (tests compare the paths that way). A computation reads the
//! level once at its entry point (`Kernels::current`) and passes the `Kernels` value down to its
//! workers, so one computation never mixes levels.
//!
//! Results: the SIMD levels use fused multiply-add (`Σ (x − y)²` accumulated with one rounding per
//! feature instead of two), so they can differ from the scalar path in the last bits; within a level
//! every lane sums the features in the same order, so a pair's distance does not depend on where it
//! sits in a tile, and `Kernels::sq_dist` equals the lane values of `Kernels::sq_dists_to_many`
//! bit for bit. Square roots are correctly rounded at every level (`Isa::sqrt_v`).

#![allow(
    clippy::inline_always,
    reason = "kernels must inline into pulp's #[target_feature] functions to get the instruction set"
)]

use std::cell::Cell;
use std::sync::OnceLock;

use pulp::Simd;

/// Instruction sets the distance kernels can run with, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Portable code (on x86-64: SSE2, two doubles per instruction).
    Scalar,
    /// AVX2 with fused multiply-add (x86-64-v3, four doubles per instruction).
    Avx2,
    /// AVX-512 (x86-64-v4, eight doubles per instruction).
    Avx512,
}

impl Level {
    /// Lower-case name, as `SEGSCOPE_SIMD` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Scalar => "scalar",
            Self::Avx2 => "avx2",
            Self::Avx512 => "avx512",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "scalar" | "none" | "off" => Some(Self::Scalar),
            "avx2" | "v3" => Some(Self::Avx2),
            "avx512" | "v4" => Some(Self::Avx512),
            _ => None,
        }
    }
}

thread_local! {
    static CAP: Cell<Option<Level>> = const { Cell::new(None) };
}

/// The instruction set the kernels use on this thread: the best the CPU has, capped by
/// `SEGSCOPE_SIMD` and by an enclosing [`with_level`].
pub fn level() -> Level {
    Kernels::current().level()
}

/// Runs `f` with the kernels capped at `cap` on the calling thread (computations started by `f` on
/// this thread read the cap at their entry and keep it on their worker threads). A cap above what the
/// CPU has changes nothing. Meant for tests and benchmarks that compare the paths.
pub fn with_level<R>(cap: Level, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Level>);
    impl Drop for Restore {
        fn drop(&mut self) {
            CAP.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CAP.with(|c| c.replace(Some(cap))));
    f()
}

/// A token for one instruction set, detected at run time; cheap to copy into worker threads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kernels {
    /// Portable code.
    Scalar,
    /// AVX2 + FMA.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    V3(pulp::x86::V3),
    /// AVX-512.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    V4(pulp::x86::V4),
}

impl Kernels {
    /// The kernels for this thread's level (see [`level`]); read it once per computation.
    pub fn current() -> Self {
        let best = detected();
        match CAP.with(Cell::get) {
            Some(cap) => best.capped(cap),
            None => best,
        }
    }

    /// The portable kernels.
    #[cfg(test)]
    pub fn scalar() -> Self {
        Self::Scalar
    }

    /// The level of this token.
    pub fn level(self) -> Level {
        match self {
            Self::Scalar => Level::Scalar,
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Self::V3(_) => Level::Avx2,
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Self::V4(_) => Level::Avx512,
        }
    }

    /// This token lowered to at most `cap`.
    fn capped(self, cap: Level) -> Self {
        if self.level() <= cap {
            return self;
        }
        match (self, cap) {
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            (Self::V4(_), Level::Avx2) => pulp::x86::V3::try_new().map_or(Self::Scalar, Self::V3),
            _ => Self::Scalar,
        }
    }

    /// Runs `op` compiled for this instruction set.
    #[inline]
    pub fn dispatch<K: Kernel>(self, op: K) -> K::Output {
        match self {
            Self::Scalar => op.run(pulp::Scalar::new()),
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Self::V3(simd) => simd.vectorize(Run(op, simd)),
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Self::V4(simd) => simd.vectorize(Run(op, simd)),
        }
    }

    /// Squared Euclidean distance `Σ_f (a_f − b_f)²` over `min(a.len(), b.len())` features, summed in
    /// feature order (equal to a lane of [`Kernels::sq_dists_to_many`]).
    #[allow(
        dead_code,
        reason = "crate-internal API for k-means (src/cluster/kmeans.rs) to adopt"
    )]
    pub fn sq_dist(self, a: &[f64], b: &[f64]) -> f64 {
        struct Op<'a>(&'a [f64], &'a [f64]);
        impl Kernel for Op<'_> {
            type Output = f64;
            #[inline(always)]
            fn run<S: Isa>(self, _simd: S) -> f64 {
                sq_dist_in::<S>(self.0, self.1)
            }
        }
        self.dispatch(Op(a, b))
    }

    /// Squared distances from the point `x` (`x.len()` features) to `out.len()` points stored feature
    /// by feature: `out[t] = Σ_f (x[f] − cols[f · stride + t])²`.
    ///
    /// Panics (a bug in the caller) when `cols` is shorter than `(x.len() − 1) · stride + out.len()`.
    #[allow(
        dead_code,
        reason = "crate-internal API for k-means (src/cluster/kmeans.rs) to adopt"
    )]
    pub fn sq_dists_to_many(self, x: &[f64], cols: &[f64], stride: usize, out: &mut [f64]) {
        struct Op<'a> {
            x: &'a [f64],
            cols: &'a [f64],
            stride: usize,
            out: &'a mut [f64],
        }
        impl Kernel for Op<'_> {
            type Output = ();
            #[inline(always)]
            fn run<S: Isa>(self, simd: S) {
                sq_dists_to_many_in(simd, self.x, self.cols, self.stride, self.out);
            }
        }
        self.dispatch(Op {
            x,
            cols,
            stride,
            out,
        });
    }
}

/// A computation compiled once per instruction set and run by [`Kernels::dispatch`]. Implementations
/// mark `run` `#[inline(always)]` (and so every generic helper it calls), so that the code is compiled
/// with the target features of the level.
pub(crate) trait Kernel {
    /// What the computation returns.
    type Output;
    /// Runs the computation with the instruction set `simd`.
    fn run<S: Isa>(self, simd: S) -> Self::Output;
}

/// A kernel with its instruction set, as pulp's `vectorize` takes it: `call` is inlined into pulp's
/// `#[target_feature]` function (a closure would not be, and would lose the features).
struct Run<K, S>(K, S);

impl<K: Kernel, S: Isa> pulp::NullaryFnOnce for Run<K, S> {
    type Output = K::Output;

    #[inline(always)]
    fn call(self) -> K::Output {
        self.0.run(self.1)
    }
}

/// pulp's SIMD operations plus what the distance kernels need beyond them.
pub(crate) trait Isa: Simd {
    /// Square root of every lane, correctly rounded (as `f64::sqrt`).
    fn sqrt_v(self, x: Self::f64s) -> Self::f64s;
    /// `a · b + c` per lane: fused on the SIMD levels, two roundings on the portable path.
    fn madd(self, a: Self::f64s, b: Self::f64s, c: Self::f64s) -> Self::f64s;
    /// Whether some lane has `!(a > b)` (true for a NaN lane, like the scalar expression).
    fn any_not_greater(self, a: Self::f64s, b: Self::f64s) -> bool;
}

impl Isa for pulp::Scalar {
    #[inline(always)]
    fn sqrt_v(self, x: f64) -> f64 {
        x.sqrt()
    }
    #[inline(always)]
    fn madd(self, a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
    #[inline(always)]
    fn any_not_greater(self, a: f64, b: f64) -> bool {
        a.partial_cmp(&b) != Some(std::cmp::Ordering::Greater)
    }
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
impl Isa for pulp::x86::V3 {
    #[inline(always)]
    fn sqrt_v(self, x: Self::f64s) -> Self::f64s {
        self.sqrt_f64s(x)
    }
    #[inline(always)]
    fn madd(self, a: Self::f64s, b: Self::f64s, c: Self::f64s) -> Self::f64s {
        self.mul_add_f64s(a, b, c)
    }
    #[inline(always)]
    fn any_not_greater(self, a: Self::f64s, b: Self::f64s) -> bool {
        #[cfg(target_arch = "x86")]
        use core::arch::x86::{__m256d, _CMP_NGT_UQ};
        #[cfg(target_arch = "x86_64")]
        use core::arch::x86_64::{__m256d, _CMP_NGT_UQ};
        let (a, b): (__m256d, __m256d) = (pulp::cast(a), pulp::cast(b));
        self.avx
            ._mm256_movemask_pd(self.avx._mm256_cmp_pd::<_CMP_NGT_UQ>(a, b))
            != 0
    }
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
impl Isa for pulp::x86::V4 {
    /// `vsqrtpd` on 512 bits has a quarter of the throughput of the FMA units, and the silhouette needs
    /// one square root per pair; so: the 14-bit reciprocal square root estimate, two Newton steps
    /// (Goldschmidt's coupled iteration for `s ≈ √x` and `h ≈ 1/(2√x)`), and Markstein's final
    /// correction `s + (x − s²)·h` with a fused residual, which rounds correctly (the unit tests
    /// compare it with `f64::sqrt` bit for bit). Lanes whose square root is themselves (±0, +∞, NaN)
    /// take `x`; a vector with a positive lane below 2⁻⁹⁶⁰ (where the residual underflows) or a
    /// negative one uses `vsqrtpd`.
    #[inline(always)]
    fn sqrt_v(self, x: Self::f64s) -> Self::f64s {
        #[cfg(target_arch = "x86")]
        use core::arch::x86::{__m512d, _CMP_LT_OQ};
        #[cfg(target_arch = "x86_64")]
        use core::arch::x86_64::{__m512d, _CMP_LT_OQ};
        /// fpclass categories: QNaN, +0, −0, +∞, SNaN.
        const SELF_ROOT: i32 = 0x01 | 0x02 | 0x04 | 0x08 | 0x80;
        let f = self.avx512f;
        let xv: __m512d = pulp::cast(x);
        let half = f._mm512_set1_pd(0.5);
        let y = f._mm512_rsqrt14_pd(xv);
        let mut s = f._mm512_mul_pd(xv, y);
        let mut h = f._mm512_mul_pd(half, y);
        for _ in 0..2 {
            let r = f._mm512_fnmadd_pd(s, h, half);
            s = f._mm512_fmadd_pd(s, r, s);
            h = f._mm512_fmadd_pd(h, r, h);
        }
        let e = f._mm512_fnmadd_pd(s, s, xv);
        s = f._mm512_fmadd_pd(e, h, s);
        let same = self.avx512dq._mm512_fpclass_pd_mask::<SELF_ROOT>(xv);
        let tiny = f._mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(
            !same,
            xv,
            f._mm512_set1_pd(f64::from_bits(0x03F0_0000_0000_0000)),
        );
        if tiny != 0 {
            return self.sqrt_f64s(x);
        }
        pulp::cast(f._mm512_mask_mov_pd(s, same, xv))
    }
    #[inline(always)]
    fn madd(self, a: Self::f64s, b: Self::f64s, c: Self::f64s) -> Self::f64s {
        self.mul_add_f64s(a, b, c)
    }
    #[inline(always)]
    fn any_not_greater(self, a: Self::f64s, b: Self::f64s) -> bool {
        #[cfg(target_arch = "x86")]
        use core::arch::x86::{__m512d, _CMP_NGT_UQ};
        #[cfg(target_arch = "x86_64")]
        use core::arch::x86_64::{__m512d, _CMP_NGT_UQ};
        let (a, b): (__m512d, __m512d) = (pulp::cast(a), pulp::cast(b));
        self.avx512f._mm512_cmp_pd_mask::<_CMP_NGT_UQ>(a, b) != 0
    }
}

/// The best level of this CPU, capped by `SEGSCOPE_SIMD`; detected once.
fn detected() -> Kernels {
    static DETECTED: OnceLock<Kernels> = OnceLock::new();
    *DETECTED.get_or_init(|| {
        let best = best_of_cpu();
        match std::env::var("SEGSCOPE_SIMD")
            .ok()
            .as_deref()
            .and_then(Level::parse)
        {
            Some(cap) => best.capped(cap),
            None => best,
        }
    })
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
fn best_of_cpu() -> Kernels {
    if let Some(v4) = pulp::x86::V4::try_new() {
        Kernels::V4(v4)
    } else if let Some(v3) = pulp::x86::V3::try_new() {
        Kernels::V3(v3)
    } else {
        Kernels::Scalar
    }
}

#[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
fn best_of_cpu() -> Kernels {
    Kernels::Scalar
}

/// `a · b + c`: fused (one rounding) on the SIMD levels, two roundings on the portable path (where a
/// fused multiply-add may be a slow library call).
#[inline(always)]
pub(crate) fn mul_add<S: Isa>(a: f64, b: f64, c: f64) -> f64 {
    if S::IS_SCALAR {
        a * b + c
    } else {
        a.mul_add(b, c)
    }
}

/// [`Kernels::sq_dist`] inside a dispatched kernel.
#[allow(dead_code, reason = "crate-internal API for k-means to adopt")]
#[inline(always)]
pub(crate) fn sq_dist_in<S: Isa>(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&x, &y) in a.iter().zip(b) {
        let diff = x - y;
        s = mul_add::<S>(diff, diff, s);
    }
    s
}

/// [`Kernels::sq_dists_to_many`] inside a dispatched kernel.
#[allow(dead_code, reason = "crate-internal API for k-means to adopt")]
#[inline(always)]
pub(crate) fn sq_dists_to_many_in<S: Isa>(
    simd: S,
    x: &[f64],
    cols: &[f64],
    stride: usize,
    out: &mut [f64],
) {
    let m = out.len();
    let lanes = S::F64_LANES;
    let mut t = 0;
    if !S::IS_SCALAR {
        while t + lanes <= m {
            let mut acc = simd.splat_f64s(0.0);
            for (f, &v) in x.iter().enumerate() {
                let base = f * stride + t;
                let c = S::as_simd_f64s(&cols[base..base + lanes]).0[0];
                let diff = simd.sub_f64s(c, simd.splat_f64s(v));
                acc = simd.madd(diff, diff, acc);
            }
            S::as_mut_simd_f64s(&mut out[t..t + lanes]).0[0] = acc;
            t += lanes;
        }
    }
    for (tt, o) in out.iter_mut().enumerate().skip(t) {
        let mut s = 0.0;
        for (f, &v) in x.iter().enumerate() {
            let diff = cols[f * stride + tt] - v;
            s = mul_add::<S>(diff, diff, s);
        }
        *o = s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(m: usize, d: usize) -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..d).map(|f| (f as f64 * 0.37).sin() * 3.0).collect();
        let cols: Vec<f64> = (0..m * d)
            .map(|i| ((i * 7919) % 1013) as f64 / 101.3 - 5.0)
            .collect();
        (x, cols)
    }

    #[test]
    fn many_equals_one_at_a_time_at_every_level() {
        let (m, d) = (37, 10);
        let (x, cols) = data(m, d);
        for cap in [Level::Scalar, Level::Avx2, Level::Avx512] {
            let k = with_level(cap, Kernels::current);
            assert!(k.level() <= cap);
            let mut out = vec![0.0; m];
            k.sq_dists_to_many(&x, &cols, m, &mut out);
            for (t, &o) in out.iter().enumerate() {
                let y: Vec<f64> = (0..d).map(|f| cols[f * m + t]).collect();
                assert_eq!(o, k.sq_dist(&x, &y), "{cap:?} t={t}");
                let naive: f64 = x.iter().zip(&y).map(|(a, b)| (a - b) * (a - b)).sum();
                assert!((o - naive).abs() <= 1e-13 * naive.max(1.0), "{cap:?}");
            }
        }
    }

    #[test]
    fn square_roots_are_correctly_rounded_at_every_level() {
        struct Roots<'a>(&'a [f64]);
        impl Kernel for Roots<'_> {
            type Output = Vec<f64>;
            #[inline(always)]
            fn run<S: Isa>(self, simd: S) -> Vec<f64> {
                let mut out = self.0.to_vec();
                let (head, tail) = S::as_mut_simd_f64s(&mut out);
                for v in head {
                    *v = simd.sqrt_v(*v);
                }
                for v in tail {
                    *v = v.sqrt();
                }
                out
            }
        }
        let mut rng = crate::rng::Rng::new(3);
        let mut xs: Vec<f64> = (0..200_000)
            .map(|i| {
                let m = rng.uniform() * 2.0;
                m * 2f64.powi((i % 200) - 100)
            })
            .collect();
        // Perfect squares and their neighbours, zeros, infinity, tiny and huge values.
        for q in 1..5_000u32 {
            let sq = f64::from(q) * f64::from(q);
            xs.extend([
                sq,
                f64::from_bits(sq.to_bits() + 1),
                f64::from_bits(sq.to_bits() - 1),
            ]);
        }
        xs.extend([
            0.0,
            -0.0,
            f64::INFINITY,
            5e-324,
            1e-310,
            2e-289,
            f64::MAX,
            1.0,
            4.0,
        ]);
        for cap in [Level::Scalar, Level::Avx2, Level::Avx512] {
            let got = with_level(cap, Kernels::current).dispatch(Roots(&xs));
            for (g, x) in got.iter().zip(&xs) {
                assert_eq!(g.to_bits(), x.sqrt().to_bits(), "{cap:?}: sqrt({x:e})");
            }
        }
    }

    #[test]
    fn cap_is_scoped_to_the_closure() {
        let before = level();
        let inside = with_level(Level::Scalar, level);
        assert_eq!(inside, Level::Scalar);
        assert_eq!(level(), before);
        assert_eq!(Level::parse(" AVX2 "), Some(Level::Avx2));
        assert_eq!(Level::parse("fast"), None);
    }
}
